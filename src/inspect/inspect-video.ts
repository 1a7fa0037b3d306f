/**
 * @file `inspectVideo(input, options)`: runs several pipelines over one video with a recording frame provider and a
 * recording encoder (so every decoded frame and every encoded grid is kept without decoding twice), then gathers what
 * the report shows: the frames each pipeline used, its segments and token counts against its budget, the composed
 * images it built, pictures of the tokens it hands to the model, SceneTilling's similarity and depth curves with the
 * cuts, B-VLLM's question scores when the encoder can embed text, and the run's parameters and timings. Returns the
 * self-contained HTML, optional PNG figures and a JSON-friendly summary.
 */
import type { VisualEncoder } from '../core/encoder.js';
import { featureGrid, meanTokenDescriptors, type FeatureGrid } from '../core/feature-grid.js';
import type { RgbImage, VideoFrame } from '../core/frame.js';
import type { VisualSegment } from '../core/token-stream.js';
import { resolveEncoder } from '../encoders/index.js';
import { resizeImageArea } from '../encoders/resize-image.js';
import { AbortedError, VidtokError } from '../errors/index.js';
import type { PipelineDefinition } from '../graph/pipeline-definition.js';
import { listBuiltInPipelines, resolvePipeline } from '../graph/pipeline-registry.js';
import { ingestFrameProvider, type FrameProvider, type ProbeSummary } from '../pipeline/frame-provider.js';
import { runPipeline, type PipelineRunResult } from '../pipeline/run-pipeline.js';
import { frameQuestionScores } from '../strategies/b-vllm/b-vllm-approximation.js';
import { sceneTilling } from '../strategies/scene-tilling/scene-tilling.js';
import { recordingEncoder, type RecordingEncoder } from './recording-encoder.js';
import { recordingFrameProvider } from './recording-frame-provider.js';
import { renderReportHtml } from './report-html.js';
import { renderReportFigures } from './report-figures.js';
import { evenlySpread, fitWithin, segmentPictures, type PixelsGeometry, type SegmentPictures } from './token-images.js';

export type {
  InspectVideoOptions,
  InspectProgress,
  SegmentSummary,
  PipelineSummary,
  SceneCurves,
  QuestionScores,
  InspectSummary,
  InspectFigure,
  InspectVideoResult,
  PipelineInspection,
  InspectionData,
} from './inspection-types.js';
import type {
  InspectVideoOptions,
  SegmentSummary,
  PipelineSummary,
  SceneCurves,
  QuestionScores,
  InspectSummary,
  InspectVideoResult,
  PipelineInspection,
  InspectionData,
} from './inspection-types.js';

const pictureableRoles = new Set(['frames', 'slow', 'fast', 'thumbnail', 'sampled', 'grid', 'memory', 'scene']);

function isInputError(error: unknown): boolean {
  return (
    VidtokError.isInstance(error) &&
    [
      'INPUT_NOT_FOUND',
      'INPUT_REJECTED',
      'NO_VIDEO_STREAM',
      'UNSUPPORTED_SOURCE',
      'FFMPEG_NOT_FOUND',
      'ABORTED',
    ].includes(error.code)
  );
}

function pixelsGeometry(encoder: VisualEncoder): PixelsGeometry | undefined {
  const candidate = encoder as Partial<PixelsGeometry> & VisualEncoder;
  if (
    typeof candidate.patch === 'number' &&
    Array.isArray(candidate.mean) &&
    Array.isArray(candidate.std) &&
    encoder.name.startsWith('pixels')
  ) {
    return { patch: candidate.patch, mean: candidate.mean, std: candidate.std };
  }
  return undefined;
}

/** Feature grid of the recorded frames, in frame order. */
function recordedGrid(
  encoder: RecordingEncoder,
  frames: readonly { index: number; pts: number }[],
): FeatureGrid | undefined {
  const { h, w } = encoder.grid;
  const D = encoder.dim;
  const size = h * w * D;
  const present = frames.filter((frame) => encoder.frameFeatures.get(frame.index)?.tokens.length === size);
  if (present.length === 0) return undefined;
  const data = new Float32Array(present.length * size);
  present.forEach((frame, t) => data.set(encoder.frameFeatures.get(frame.index)!.tokens, t * size));
  return featureGrid(
    present.length,
    h,
    w,
    D,
    data,
    present.map((frame) => frame.pts),
    present.map((frame) => frame.index),
  );
}

/** A probe cache around a provider, so several pipelines probe the input once. */
function probeOnce(inner: FrameProvider): FrameProvider {
  const cache = new Map<string, Promise<ProbeSummary>>();
  return {
    probe(input, options) {
      let cached = cache.get(input);
      if (cached === undefined) {
        cached = inner.probe(input, options);
        cache.set(input, cached);
        cached.catch(() => cache.delete(input));
      }
      return cached;
    },
    openFrames: (input, request) => inner.openFrames(input, request),
  };
}

function summarizeSegment(segment: VisualSegment): SegmentSummary {
  return {
    role: segment.role,
    count: segment.count,
    frameIndices: segment.frameIndices,
    timestamps: segment.timestamps,
    ...(segment.layout ? { layout: segment.layout } : {}),
    isImage: segment.isImage === true,
  };
}

function pipelineLabel(reference: string | PipelineDefinition): string {
  return typeof reference === 'string' ? reference : reference.name;
}

interface RunOutcome {
  readonly inspection: PipelineInspection;
  readonly encoder: RecordingEncoder;
  readonly result?: PipelineRunResult;
}

async function inspectOnePipeline(
  input: string,
  reference: string | PipelineDefinition,
  encoder: VisualEncoder,
  provider: FrameProvider,
  options: InspectVideoOptions,
): Promise<RunOutcome> {
  const recorder = recordingFrameProvider(provider);
  const recording = recordingEncoder(encoder);
  const started = performance.now();
  const name = pipelineLabel(reference);
  let result: PipelineRunResult;
  try {
    result = await runPipeline(input, {
      pipeline: reference,
      encoder: recording,
      frameProvider: recorder,
      ...(options.question !== undefined ? { question: options.question } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (isInputError(error) || options.signal?.aborted) throw error;
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    return {
      encoder: recording,
      inspection: {
        summary: {
          name,
          encoder: encoder.name,
          budget: 0,
          plannedTokens: 0,
          totalTokens: 0,
          tokensByRole: {},
          frames: [],
          segments: [],
          params: {},
          notes: {},
          timings: { total: Math.round(performance.now() - started) },
          warnings: [],
          error: message,
        },
        frames: [],
        builtImages: [],
        segmentPictures: [],
      },
    };
  }
  const elapsed = Math.round(performance.now() - started);
  const visual = result.segments.filter((segment): segment is VisualSegment => segment.type === 'visual');
  const tokensByRole: Record<string, number> = {};
  for (const segment of visual) tokensByRole[segment.role] = (tokensByRole[segment.role] ?? 0) + segment.count;
  const framesByIndex = new Map<number, VideoFrame>(recorder.frames.map((frame) => [frame.index, frame]));
  const features = new Map<number, Float32Array>(
    [...recording.frameFeatures].map(([index, recorded]) => [index, recorded.tokens]),
  );
  const pixels = pixelsGeometry(encoder);
  let imageAt = 0;
  const builtImages: { label: string; image: RgbImage }[] = [];
  const pictures: { segment: SegmentSummary; pictures: SegmentPictures }[] = [];
  for (const segment of visual) {
    let composedImage: RgbImage | undefined;
    if (segment.isImage === true) {
      composedImage = recording.images[imageAt++]?.image;
      if (composedImage !== undefined)
        builtImages.push({
          label: `${segment.role} image built from frames ${segment.frameIndices.join(', ')}`,
          image: composedImage,
        });
    }
    if (!pictureableRoles.has(segment.role)) continue;
    pictures.push({
      segment: summarizeSegment(segment),
      pictures: segmentPictures(segment, {
        ...(pixels !== undefined ? { pixels } : {}),
        grid: encoder.grid,
        frames: framesByIndex,
        features,
        ...(composedImage !== undefined ? { composedImage } : {}),
        maxPictures: options.maxPicturesPerSegment ?? 12,
      }),
    });
  }
  const summary: PipelineSummary = {
    name: result.metadata.pipeline,
    ...(typeof reference === 'object' && reference.description !== undefined
      ? { description: reference.description }
      : {}),
    encoder: result.metadata.encoder,
    budget: result.plan.budget,
    plannedTokens: result.plan.tokens,
    totalTokens: visual.reduce((sum, segment) => sum + segment.count, 0),
    tokensByRole,
    frames: result.frames,
    segments: visual.map(summarizeSegment),
    params: result.metadata.params,
    geometry: result.plan.geometry,
    notes: result.notes,
    ...(result.metadata.approximation !== undefined ? { approximation: result.metadata.approximation } : {}),
    timings: { ...(result.metadata.timings ?? {}), total: elapsed },
    warnings: result.warnings,
  };
  return {
    encoder: recording,
    result,
    inspection: { summary, frames: recorder.frames, builtImages, segmentPictures: pictures },
  };
}

function sceneCurvesOf(outcomes: readonly RunOutcome[]): SceneCurves | undefined {
  // Prefer the pipeline that really runs SceneTilling (same frames and k), else the run with the most frames.
  const withScenes = outcomes.find(
    (outcome) =>
      outcome.result !== undefined && Object.keys(outcome.result.notes).some((key) => key.endsWith('.scenes')),
  );
  const candidates =
    withScenes !== undefined
      ? [withScenes]
      : [...outcomes]
          .filter((outcome) => outcome.result !== undefined)
          .sort((a, b) => b.result!.frames.length - a.result!.frames.length);
  for (const outcome of candidates) {
    const grid = recordedGrid(outcome.encoder, outcome.result!.frames);
    if (grid === undefined || grid.T < 3) continue;
    let k = 3;
    if (outcome === withScenes) {
      for (const value of Object.values(outcome.result!.metadata.params)) {
        const stageParams = value as { use?: unknown; k?: unknown };
        if (stageParams.use === 'scene-tilling' && typeof stageParams.k === 'number') k = stageParams.k;
      }
    }
    k = Math.min(k, grid.T - 1);
    const tilling = sceneTilling(meanTokenDescriptors(grid), { k });
    const times = Array.from(tilling.similarity, (_, i) => (grid.timestamps[i]! + grid.timestamps[i + 1]!) / 2);
    return {
      pipeline: outcome.inspection.summary.name,
      k,
      times,
      similarity: Array.from(tilling.similarity),
      depth: Array.from(tilling.depth),
      cutTimes: tilling.boundaries.filter((boundary) => boundary < grid.T - 1).map((boundary) => times[boundary]!),
      frameTimes: grid.timestamps,
    };
  }
  return undefined;
}

async function questionScoresOf(
  outcomes: readonly RunOutcome[],
  question: string | undefined,
  encoder: VisualEncoder,
): Promise<QuestionScores | undefined> {
  if (question === undefined || question.trim() === '' || encoder.embedText === undefined) return undefined;
  const outcome = outcomes.find(
    (candidate) =>
      candidate.result !== undefined &&
      Object.keys(candidate.result.notes).some((key) => key.endsWith('.questionConditioned')),
  );
  if (outcome === undefined) return undefined;
  const grid = recordedGrid(outcome.encoder, outcome.result!.frames);
  if (grid === undefined) return undefined;
  const embedding = await encoder.embedText(question);
  if (embedding.length !== grid.D) return undefined;
  let topK = 8;
  for (const value of Object.values(outcome.result!.metadata.params)) {
    const stageParams = value as { use?: unknown; topK?: unknown };
    if (stageParams.use === 'b-vllm' && typeof stageParams.topK === 'number') topK = stageParams.topK;
  }
  const scores = frameQuestionScores(grid, embedding, Math.min(topK, grid.h * grid.w));
  const kept = new Set(outcome.inspection.summary.segments.flatMap((segment) => segment.timestamps));
  return {
    pipeline: outcome.inspection.summary.name,
    times: grid.timestamps,
    scores: Array.from(scores),
    keptTimes: grid.timestamps.filter((time) => kept.has(time)),
  };
}

/** Whether a run's recorded features are still needed after its pictures are drawn (scene curves, question scores). */
function keepsFeatures(outcome: RunOutcome, outcomes: readonly RunOutcome[]): boolean {
  const result = outcome.result;
  if (result === undefined) return false;
  const keys = Object.keys(result.notes);
  if (keys.some((key) => key.endsWith('.scenes') || key.endsWith('.questionConditioned'))) return true;
  // The run with the most frames is the fallback for the scene curves.
  const most = Math.max(...outcomes.map((other) => other.result?.frames.length ?? 0));
  return result.frames.length === most && outcomes.find((other) => other.result?.frames.length === most) === outcome;
}

/** Drops the per-frame features of runs that no longer need them (they are large: T x h x w x D floats each). */
function releaseUnneededFeatures(outcomes: readonly RunOutcome[]): void {
  for (const outcome of outcomes) if (!keepsFeatures(outcome, outcomes)) outcome.encoder.frameFeatures.clear();
}

/** Runs the pipelines and collects the report's data (no rendering). */
export async function collectInspection(input: string, options: InspectVideoOptions = {}): Promise<InspectionData> {
  const signal = options.signal;
  if (signal?.aborted) throw new AbortedError(`inspect ${input}`, { cause: signal.reason });
  const started = performance.now();
  // Resolve every pipeline first, so a misspelt name fails before anything is decoded.
  const references: PipelineDefinition[] = options.pipelines
    ? await Promise.all(
        options.pipelines.map((reference) =>
          typeof reference === 'string' ? resolvePipeline(reference, signal ? { signal } : {}) : reference,
        ),
      )
    : await listBuiltInPipelines(signal ? { signal } : {});
  const ownsEncoder = typeof options.encoder !== 'object';
  const encoder =
    typeof options.encoder === 'object'
      ? options.encoder
      : await resolveEncoder(options.encoder ?? 'pixels', signal ? { signal } : {});
  const provider = probeOnce(options.frameProvider ?? ingestFrameProvider);
  const outcomes: RunOutcome[] = [];
  const timings: Record<string, number> = {};
  try {
    for (const [at, reference] of references.entries()) {
      const name = pipelineLabel(reference);
      options.onProgress?.({ type: 'pipeline-start', pipeline: name, at: at + 1, of: references.length });
      const outcome = await inspectOnePipeline(input, reference, encoder, provider, options);
      outcomes.push(outcome);
      releaseUnneededFeatures(outcomes);
      timings[`pipeline ${outcome.inspection.summary.name}`] = outcome.inspection.summary.timings.total ?? 0;
      options.onProgress?.({
        type: 'pipeline-end',
        pipeline: outcome.inspection.summary.name,
        milliseconds: outcome.inspection.summary.timings.total ?? 0,
        ...(outcome.inspection.summary.error !== undefined ? { error: outcome.inspection.summary.error } : {}),
      });
    }
    const failures = outcomes.filter((outcome) => outcome.result === undefined);
    if (outcomes.length > 0 && failures.length === outcomes.length) {
      // Nothing ran: rerun the first one to surface its typed error.
      await runPipeline(input, {
        pipeline: references[0]!,
        encoder,
        frameProvider: provider,
        ...(signal ? { signal } : {}),
      });
    }
    const probe = await provider.probe(input, signal ? { signal } : {});
    const sceneCurves = sceneCurvesOf(outcomes);
    const questionScores = await questionScoresOf(outcomes, options.question, encoder);
    const allFrames = new Map<number, VideoFrame>();
    for (const outcome of outcomes)
      for (const frame of outcome.inspection.frames) if (!allFrames.has(frame.index)) allFrames.set(frame.index, frame);
    const ordered = [...allFrames.values()].sort((a, b) => a.pts - b.pts);
    const timelineFrames = evenlySpread(ordered.length, 10).map((at) => ordered[at]!);
    timings.collect = Math.round(performance.now() - started);
    const summary: InspectSummary = {
      input,
      probe,
      encoder: encoder.name,
      ...(options.question !== undefined ? { question: options.question } : {}),
      pipelines: outcomes.map((outcome) => outcome.inspection.summary),
      ...(sceneCurves !== undefined ? { sceneCurves } : {}),
      ...(questionScores !== undefined ? { questionScores } : {}),
      timings,
      generatedAt: new Date().toISOString(),
    };
    const aspect =
      probe.width > 0 && probe.height > 0
        ? probe.width / probe.height
        : encoder.inputSize.width / encoder.inputSize.height;
    return { summary, pipelines: outcomes.map((outcome) => outcome.inspection), timelineFrames, aspect };
  } finally {
    if (ownsEncoder) await encoder.dispose?.();
  }
}

/** A frame resized to `width` pixels wide at the video's aspect ratio (frames arrive at the encoder's square size). */
export function displayFrame(frame: RgbImage, width: number, aspect: number): RgbImage {
  const height = Math.max(2, Math.round(width / aspect));
  const size = fitWithin({ width, height }, Math.max(width, height));
  return resizeImageArea(frame, size.width, size.height);
}

/** Runs the pipelines over `input` and renders the self-contained HTML report (and PNG figures when asked). */
export async function inspectVideo(input: string, options: InspectVideoOptions = {}): Promise<InspectVideoResult> {
  const started = performance.now();
  const data = await collectInspection(input, options);
  options.onProgress?.({ type: 'rendering' });
  const renderStarted = performance.now();
  const figures = options.figures === true ? renderReportFigures(data) : [];
  const timings = data.summary.timings as Record<string, number>;
  const html = await renderReportHtml(data, {
    ...(options.jpegQuality !== undefined ? { jpegQuality: options.jpegQuality } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    timings: () => {
      timings.render = Math.round(performance.now() - renderStarted);
      timings.total = Math.round(performance.now() - started);
      return timings;
    },
  });
  return { html, figures, summary: data.summary };
}

/**
 * @file The programmatic API behind `vidtok tokens`: resolve the pipeline and the encoder, probe the input, build and
 * negotiate the graph (token budget and context window checked here, before any decoding), then decode the frames
 * the pipeline asks for and run the graph over them. Returns the token stream with the frames used, the probe and
 * the run's diagnostics.
 */
import type { VisualEncoder } from '../core/encoder.js';
import type { TokenStream } from '../core/token-stream.js';
import { resolveEncoder } from '../encoders/index.js';
import { AbortedError, UsageError } from '../errors/index.js';
import { planGraph, type PlannedGraph } from '../graph/build-graph.js';
import type { FramesSpec, PipelineDefinition, PipelinePrompt } from '../graph/pipeline-definition.js';
import { resolvePipeline } from '../graph/pipeline-registry.js';
import { runGraph, type StageEvent } from '../graph/run-graph.js';
import {
  ingestFrameProvider,
  type FrameProvider,
  type PipelineFrameRequest,
  type ProbeSummary,
} from './frame-provider.js';

export type PipelineProgress =
  | { readonly type: 'planned'; readonly frames: number; readonly tokens: number; readonly budget: number }
  | {
      readonly type: 'frame';
      readonly index: number;
      readonly pts: number;
      readonly count: number;
      readonly expected: number;
    }
  | StageEvent;

export interface RunPipelineOptions {
  /** A built-in pipeline name, a path to a pipeline file, or a definition. */
  readonly pipeline: string | PipelineDefinition;
  /** Encoder spec (`pixels`, `pixels:224/16`, a model) or an encoder; default the pipeline's, else `pixels`. */
  readonly encoder?: string | VisualEncoder;
  /** The user's question (question-conditioned stages such as B-VLLM). */
  readonly question?: string;
  /** Total visual-token budget; default the pipeline's. */
  readonly budget?: number;
  /** The consuming model's context window, when known; the visual tokens must fit in it. */
  readonly contextWindow?: number;
  /** Time window of the input, seconds. */
  readonly start?: number;
  readonly end?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: PipelineProgress) => void;
  /** Where frames come from; default src/ingest (ffmpeg). */
  readonly frameProvider?: FrameProvider;
}

export interface PipelineRunResult extends TokenStream {
  /** Frames the graph consumed, in order. */
  readonly frames: readonly { readonly index: number; readonly pts: number }[];
  readonly probe: ProbeSummary;
  /** What was negotiated before decoding. */
  readonly plan: {
    readonly frames: number;
    readonly tokens: number;
    readonly tokensAreUpperBound: boolean;
    readonly budget: number;
    readonly reducedFrames?: { readonly from: number; readonly to: number };
    /** The encoder numbers the strategies' parameters were resolved against. */
    readonly geometry: PlanGeometry;
  };
  /** Diagnostics noted by the stages (`stage.key`). */
  readonly notes: Readonly<Record<string, unknown>>;
  /** Decoder warnings (at most 100). */
  readonly warnings: readonly string[];
  /** Wording the pipeline suggests for the model's prompt. */
  readonly prompt?: PipelinePrompt;
}

/** The encoder geometry as plain data (`tokens --json`, inspect, metadata). */
export interface PlanGeometry {
  readonly frameGrid: { readonly h: number; readonly w: number };
  readonly tokensPerFrame: number;
  readonly inputSize: { readonly width: number; readonly height: number };
  readonly tileTokens: number;
  readonly imageTiling: 'none' | 'split' | 'anyres';
  readonly maxImageTokens: number;
  readonly source: string;
}

/**
 * The times of an fps spec with `position: middle`: the middle of each 1/fps interval of the window, thinned to
 * `maxFrames` uniformly; undefined when it does not apply (no duration known, or fewer than `minFrames` intervals:
 * the spec's uniform fallback is used then).
 */
export function middleOfIntervalTimes(
  spec: FramesSpec,
  probe: Pick<ProbeSummary, 'duration'>,
  window: { start?: number; end?: number } = {},
): number[] | undefined {
  if (spec.fps === undefined || spec.position !== 'middle' || !(probe.duration > 0)) return undefined;
  const start = window.start ?? 0;
  const end = Math.min(window.end ?? probe.duration, probe.duration);
  const times: number[] = [];
  for (let k = 0; start + (k + 0.5) / spec.fps < end && times.length < 100_000; k++)
    times.push(start + (k + 0.5) / spec.fps);
  if (times.length < (spec.minFrames ?? 1) || times.length === 0) return undefined;
  const maxFrames = spec.maxFrames ?? times.length;
  if (times.length <= maxFrames) return times;
  return Array.from(
    { length: maxFrames },
    (_, i) => times[Math.floor((i * (times.length - 1)) / Math.max(1, maxFrames - 1))]!,
  );
}

/** Frames the source will deliver for `spec` on a probed input (exact for count rules, an upper bound otherwise). */
export function expectedFrameCount(
  spec: FramesSpec,
  probe: Pick<ProbeSummary, 'duration' | 'frameCount'>,
  window: { start?: number; end?: number } = {},
): number {
  const total = probe.frameCount > 0 ? probe.frameCount : Number.POSITIVE_INFINITY;
  if (spec.count !== undefined) return Math.max(1, Math.min(spec.count, total));
  const maxFrames = spec.maxFrames ?? 1;
  const middles = middleOfIntervalTimes(spec, probe, window);
  if (middles !== undefined) return middles.length;
  if (spec.fps !== undefined && probe.duration > 0) {
    const seconds = Math.max(0, Math.min(window.end ?? probe.duration, probe.duration) - (window.start ?? 0));
    const atRate = Math.floor(seconds * spec.fps) + 1;
    return Math.max(1, Math.min(maxFrames, Math.max(spec.minFrames ?? 1, atRate), total));
  }
  return Math.max(1, Math.min(maxFrames, total));
}

/** Longest side of frames decoded at native size (`resize: native`). */
export const nativeFrameLongSide = 1920;

/**
 * The size frames are decoded at: the encoder's input size, or for `resize: native` the video's own size (after
 * rotation) with its long side capped at `nativeFrameLongSide`, aspect kept.
 */
export function sourceFrameSize(
  spec: FramesSpec,
  encoder: Pick<VisualEncoder, 'inputSize'>,
  probe: Pick<ProbeSummary, 'width' | 'height'>,
): { width: number; height: number } {
  if (spec.resize !== 'native' || probe.width <= 0 || probe.height <= 0)
    return { width: encoder.inputSize.width, height: encoder.inputSize.height };
  const scale = Math.min(1, nativeFrameLongSide / Math.max(probe.width, probe.height));
  // Even sizes keep ffmpeg's chroma-subsampled scalers exact.
  const even = (value: number): number => Math.max(2, 2 * Math.round((value * scale) / 2));
  return { width: even(probe.width), height: even(probe.height) };
}

/** The ingest request for a pipeline's frames spec, the negotiated frame count and the frame size. */
export function frameRequestFor(
  spec: FramesSpec,
  count: number,
  size: { readonly width: number; readonly height: number },
  extra: { start?: number; end?: number; signal?: AbortSignal; at?: readonly number[] } = {},
): PipelineFrameRequest {
  const resize = spec.resize === undefined || spec.resize === 'native' ? 'squash' : spec.resize;
  const common = {
    size: { width: size.width, height: size.height },
    resize,
    ...(extra.start !== undefined ? { start: extra.start } : {}),
    ...(extra.end !== undefined ? { end: extra.end } : {}),
    ...(extra.signal !== undefined ? { signal: extra.signal } : {}),
  };
  if (spec.count !== undefined) return { ...common, count, rule: spec.rule ?? 'np_linspace_int' };
  if (extra.at !== undefined) return { ...common, at: extra.at };
  if (spec.fps !== undefined) {
    return {
      ...common,
      fps: spec.fps,
      maxFrames: count,
      ...(spec.minFrames !== undefined ? { minFrames: Math.min(spec.minFrames, count) } : {}),
    };
  }
  return {
    ...common,
    scenes: true,
    maxFrames: count,
    ...(spec.scenes?.threshold !== undefined ? { sceneThreshold: spec.scenes.threshold } : {}),
  };
}

/** Resolves the pipeline and encoder of a run (no decoding). */
export async function preparePipeline(
  options: Pick<RunPipelineOptions, 'pipeline' | 'encoder' | 'signal'>,
): Promise<{ definition: PipelineDefinition; encoder: VisualEncoder }> {
  const definition =
    typeof options.pipeline === 'string'
      ? await resolvePipeline(options.pipeline, options.signal ? { signal: options.signal } : {})
      : options.pipeline;
  const encoder =
    typeof options.encoder === 'object'
      ? options.encoder
      : await resolveEncoder(
          options.encoder ?? definition.encoder ?? 'pixels',
          options.signal ? { signal: options.signal } : {},
        );
  return { definition, encoder };
}

/** Runs a pipeline over one input and returns its token stream. */
export async function runPipeline(input: string, options: RunPipelineOptions): Promise<PipelineRunResult> {
  const signal = options.signal;
  if (signal?.aborted) throw new AbortedError(`pipeline run on ${input}`, { cause: signal.reason });
  if (options.budget !== undefined && (!Number.isInteger(options.budget) || options.budget < 1)) {
    throw new UsageError(`budget ${options.budget}: must be a positive integer`);
  }
  const { definition, encoder } = await preparePipeline(options);
  try {
    return await runPrepared(input, options, definition, encoder);
  } finally {
    // An encoder this call resolved from a spec is this call's to dispose (model encoders hold a runner process).
    if (typeof options.encoder !== 'object') await encoder.dispose?.().catch(() => undefined);
  }
}

async function runPrepared(
  input: string,
  options: RunPipelineOptions,
  definition: PipelineDefinition,
  encoder: VisualEncoder,
): Promise<PipelineRunResult> {
  const signal = options.signal;
  const provider = options.frameProvider ?? ingestFrameProvider;
  const probe = await provider.probe(input, signal ? { signal } : {});
  const window = {
    ...(options.start !== undefined ? { start: options.start } : {}),
    ...(options.end !== undefined ? { end: options.end } : {}),
  };
  const count = expectedFrameCount(definition.frames, probe, window);
  const frameSize = sourceFrameSize(definition.frames, encoder, probe);
  const middles = middleOfIntervalTimes(definition.frames, probe, window);
  const graph: PlannedGraph = planGraph(definition, {
    encoder,
    source: { count, ...frameSize, ...(definition.frames.count === undefined ? { atMost: true } : {}) },
    ...(options.budget !== undefined ? { budget: options.budget } : {}),
    ...(options.contextWindow !== undefined ? { contextWindow: options.contextWindow } : {}),
  });
  options.onProgress?.({ type: 'planned', frames: graph.source.count, tokens: graph.tokenCount, budget: graph.budget });
  const warnings: string[] = [];
  const request: PipelineFrameRequest = {
    ...frameRequestFor(definition.frames, graph.source.count, frameSize, {
      ...window,
      ...(signal ? { signal } : {}),
      ...(middles !== undefined ? { at: middles.slice(0, graph.source.count) } : {}),
    }),
    onWarning: (warning) => {
      if (warnings.length < 100) warnings.push(`${warning.kind}: ${warning.message}`);
    },
  };
  const result = await runGraph(graph, provider.openFrames(input, request), {
    encoder,
    ...(options.question !== undefined ? { question: options.question } : {}),
    ...(signal ? { signal } : {}),
    ...(options.onProgress
      ? {
          onStage: (event: StageEvent) => options.onProgress!(event),
          onFrame: (frame: { index: number; pts: number; count: number }) =>
            options.onProgress!({ type: 'frame', ...frame, expected: graph.source.count }),
        }
      : {}),
  });
  return {
    ...result.stream,
    frames: result.frames,
    probe,
    plan: {
      frames: graph.source.count,
      tokens: graph.tokenCount,
      tokensAreUpperBound: graph.tokenCountIsUpperBound,
      budget: graph.budget,
      ...(graph.reducedFrames ? { reducedFrames: graph.reducedFrames } : {}),
      geometry: {
        frameGrid: graph.geometry.frameGrid,
        tokensPerFrame: graph.geometry.tokensPerFrame,
        inputSize: graph.geometry.inputSize,
        tileTokens: graph.geometry.tileTokens,
        imageTiling: graph.geometry.imageTiling,
        maxImageTokens: graph.geometry.maxImageTokens,
        source: graph.geometry.source,
      },
    },
    notes: result.notes,
    warnings,
    ...(definition.prompt !== undefined ? { prompt: definition.prompt } : {}),
  };
}

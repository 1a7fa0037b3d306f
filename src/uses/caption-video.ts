/**
 * @file Dense captioning of one video: `captionVideo(input, options)` cuts the video into chunks (fixed
 * `--chunk/--overlap` spans planned by src/jobs, or SceneTilling scenes, see scene-chunks.ts), and for each chunk
 * runs the pipeline on that time window with the model's own vision encoder, prefills the chunk's tokens and asks
 * the caption prompt (caption-prompt.ts). It returns the `CaptionResult` the jobs library writes (jsonl, json, srt,
 * vtt). `createCaptionProcessor(model)` wraps it as the jobs library's `CaptionProcessor`: one loaded model serves
 * every video of a local batch or every job of a queue worker; the job's parameters (pipeline definition, prompt,
 * generation settings) travel in its key parameters, built by `captionKeyParameters`.
 */
import { createHash } from 'node:crypto';
import { AbortedError, ModelNotFoundError, UsageError } from '../errors/index.js';
import type { PipelineDefinition } from '../graph/pipeline-definition.js';
import { resolvePipeline } from '../graph/pipeline-registry.js';
import { probe } from '../ingest/index.js';
import type {
  CaptionChunk,
  CaptionProcessor,
  CaptionResult,
  ChunkingSpec,
  JobKeyParameters,
} from '../jobs/caption-processor.js';
import { planChunks, type ChunkSpan } from '../jobs/chunk-plan.js';
import { canonicalJson } from '../jobs/job-key.js';
import { runPipeline } from '../pipeline/run-pipeline.js';
import type { SamplingOptions, VlmModel } from '../runtime/index.js';
import { captionQuestion, defaultCaptionPrompt } from './caption-prompt.js';
import { paperSystemMessage, renderQuestion } from './paper-prompt.js';
import { planSceneChunks } from './scene-chunks.js';
import { defaultCaptionTokens, defaultVideoPipeline } from './use-defaults.js';
import { openVideoModel } from './video-model.js';

/** What changes a caption besides the video, the model and the chunking (JSON, part of the job key). */
export interface CaptionSettings {
  /** The pipeline definition, with `source` replaced by `<name>` so the key does not depend on a file path. */
  readonly pipeline: PipelineDefinition;
  readonly prompt: string;
  readonly maxNewTokens: number;
  readonly sampling: SamplingOptions;
  /** Visual-token budget per chunk; absent = the pipeline's. */
  readonly budget?: number;
}

export interface CaptionVideoOptions {
  /** Alias or directory (default smolvlm2-256m), or a loaded model (the caller keeps ownership). */
  readonly model?: string | VlmModel;
  readonly dtype?: string;
  /** Built-in name, pipeline file or definition (default `uniform`). */
  readonly pipeline?: string | PipelineDefinition;
  /** Default: fixed 10 s chunks with 2 s overlap. */
  readonly chunking?: ChunkingSpec;
  /** Caption instruction (default "Describe what happens in this clip."). */
  readonly prompt?: string;
  /** Most tokens per caption (default 96). */
  readonly maxNewTokens?: number;
  readonly sampling?: SamplingOptions;
  readonly budget?: number;
  readonly signal?: AbortSignal;
  readonly onChunk?: (chunk: CaptionChunk) => void;
}

/** The fixed chunking used when none is given: 10 s chunks, 2 s overlap. */
export const defaultChunking: ChunkingSpec = { mode: 'fixed', chunkSeconds: 10, overlapSeconds: 2 };

/** Resolves a pipeline reference into the definition stored in caption settings (path-independent). */
export async function captionPipelineDefinition(
  pipeline: string | PipelineDefinition,
  options: { signal?: AbortSignal } = {},
): Promise<PipelineDefinition> {
  const definition =
    typeof pipeline === 'string'
      ? await resolvePipeline(pipeline, options.signal ? { signal: options.signal } : {})
      : pipeline;
  return { ...definition, source: `<${definition.name}>` };
}

/** Caption settings with defaults applied. */
export async function captionSettings(
  options: Pick<CaptionVideoOptions, 'pipeline' | 'prompt' | 'maxNewTokens' | 'sampling' | 'budget' | 'signal'>,
): Promise<CaptionSettings> {
  const maxNewTokens = options.maxNewTokens ?? defaultCaptionTokens;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1)
    throw new UsageError(`--max-new-tokens ${maxNewTokens}: must be a positive integer`);
  const prompt = (options.prompt ?? defaultCaptionPrompt).trim();
  if (prompt.length === 0) throw new UsageError('--prompt: the caption prompt is empty');
  return {
    pipeline: await captionPipelineDefinition(
      options.pipeline ?? defaultVideoPipeline,
      options.signal ? { signal: options.signal } : {},
    ),
    prompt,
    maxNewTokens,
    sampling: { ...(options.sampling ?? {}) },
    ...(options.budget !== undefined ? { budget: options.budget } : {}),
  };
}

/** The job-key parameters of a caption batch: pipeline identity, model identity, and the settings. */
export function captionKeyParameters(settings: CaptionSettings, modelIdentity: string): JobKeyParameters {
  const pipelineHash = createHash('sha256').update(canonicalJson(settings.pipeline)).digest('hex').slice(0, 12);
  return {
    pipeline: `${settings.pipeline.name}@${settings.pipeline.version}#${pipelineHash}`,
    model: modelIdentity,
    parameters: { caption: settings as unknown as Readonly<Record<string, unknown>> },
  };
}

/** Reads caption settings back from a job's key parameters (queue workers); UsageError when they are malformed. */
export function settingsFromKeyParameters(parameters: JobKeyParameters): CaptionSettings {
  const settings = parameters.parameters.caption as Partial<CaptionSettings> | undefined;
  if (
    !settings ||
    typeof settings.prompt !== 'string' ||
    typeof settings.maxNewTokens !== 'number' ||
    typeof settings.pipeline !== 'object' ||
    settings.pipeline === null ||
    !Array.isArray(settings.pipeline.stages)
  ) {
    throw new UsageError(
      'caption job: its parameters carry no valid caption settings (submitted by another vidtok version?)',
    );
  }
  return settings as CaptionSettings;
}

/** The chunks of `input` for a chunking spec. */
export async function planCaptionChunks(
  input: string,
  chunking: ChunkingSpec,
  options: { signal?: AbortSignal } = {},
): Promise<ChunkSpan[]> {
  if (chunking.mode === 'scenes')
    return (await planSceneChunks(input, options.signal ? { signal: options.signal } : {})).chunks;
  const probed = await probe(input, options.signal ? { signal: options.signal } : {});
  return planChunks(probed.duration, chunking, input);
}

/** Captions every chunk of `input` with an already loaded model. */
export async function captionWithModel(
  input: string,
  model: VlmModel,
  settings: CaptionSettings,
  chunking: ChunkingSpec,
  options: { signal?: AbortSignal; onChunk?: (chunk: CaptionChunk) => void; modelIdentity?: string } = {},
): Promise<CaptionResult> {
  const signal = options.signal;
  const spans = await planCaptionChunks(input, chunking, signal ? { signal } : {});
  const encoder = model.encoder();
  const chunks: CaptionChunk[] = [];
  const chunkDetails: {
    start: number;
    end: number;
    frames: number;
    visualTokens: number;
    generatedTokens: number;
    stopReason: string;
  }[] = [];
  let duration = 0;
  for (const span of spans) {
    if (signal?.aborted) throw new AbortedError(`caption ${input}`, { cause: signal.reason });
    const run = await runPipeline(input, {
      pipeline: settings.pipeline,
      encoder,
      contextWindow: model.info.contextWindow,
      start: span.start,
      end: span.end,
      question: settings.prompt,
      ...(settings.budget !== undefined ? { budget: settings.budget } : {}),
      ...(signal ? { signal } : {}),
    });
    duration = run.probe.duration;
    // The pipeline's paper wording for open-ended questions, without its assistant prefix: a caption stands alone.
    const systemPrompt = paperSystemMessage(run.prompt, 'open-ended');
    const session = await model.createSession(run, {
      videoDuration: run.probe.duration,
      ...(systemPrompt !== undefined ? { systemPrompt } : {}),
      ...(signal ? { signal } : {}),
    });
    try {
      const question = renderQuestion(run.prompt, captionQuestion(settings.prompt, span.start, span.end)).text;
      const result = await session
        .ask(question, { ...settings.sampling, maxNewTokens: settings.maxNewTokens, ...(signal ? { signal } : {}) })
        .result();
      const chunk: CaptionChunk = { start: span.start, end: span.end, text: result.text.trim() };
      chunks.push(chunk);
      let visualTokens = 0;
      for (const segment of run.segments) if (segment.type === 'visual') visualTokens += segment.count;
      chunkDetails.push({
        start: span.start,
        end: span.end,
        frames: run.frames.length,
        visualTokens,
        generatedTokens: result.stats.generatedTokens,
        stopReason: result.stats.stopReason,
      });
      options.onChunk?.(chunk);
    } finally {
      await session.dispose();
    }
  }
  return {
    chunks,
    metadata: {
      duration,
      model: { family: model.info.family, ...(options.modelIdentity ? { identity: options.modelIdentity } : {}) },
      pipeline: { name: settings.pipeline.name, version: settings.pipeline.version },
      prompt: settings.prompt,
      maxNewTokens: settings.maxNewTokens,
      sampling: settings.sampling,
      chunking,
      chunks: chunkDetails,
    },
  };
}

/** Captions one video (opens the model unless one is passed; greedy decoding by default, so reruns match). */
export async function captionVideo(input: string, options: CaptionVideoOptions = {}): Promise<CaptionResult> {
  const signal = options.signal;
  const settings = await captionSettings(options);
  const opened =
    typeof options.model === 'object'
      ? undefined
      : await openVideoModel(options.model, {
          ...(options.dtype !== undefined ? { dtype: options.dtype } : {}),
          ...(signal ? { signal } : {}),
        });
  const model = typeof options.model === 'object' ? options.model : opened!.model;
  try {
    return await captionWithModel(input, model, settings, options.chunking ?? defaultChunking, {
      ...(signal ? { signal } : {}),
      ...(options.onChunk ? { onChunk: options.onChunk } : {}),
      ...(opened ? { modelIdentity: opened.identity } : {}),
    });
  } finally {
    await opened?.model.dispose();
  }
}

/**
 * The jobs library's processor over one loaded model. A job whose key names another model fails with a retryable
 * ModelNotFoundError (another worker may serve it).
 */
export function createCaptionProcessor(model: VlmModel, modelIdentity: string): CaptionProcessor {
  return async (task, context) => {
    if (task.keyParameters.model !== modelIdentity) {
      throw new ModelNotFoundError(
        task.keyParameters.model,
        `this worker serves ${modelIdentity}; start a worker with the job's --model`,
        { retryable: true },
      );
    }
    const settings = settingsFromKeyParameters(task.keyParameters);
    return captionWithModel(task.input, model, settings, task.chunking, {
      signal: context.signal,
      modelIdentity,
      ...(context.onChunk ? { onChunk: context.onChunk } : {}),
    });
  };
}

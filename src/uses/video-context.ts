/**
 * @file `openVideoContext(input, options)`: runs a pipeline over a video with the model's own vision encoder, then
 * prefills the model once with the resulting token stream. Every `ask(question)` afterwards continues from that
 * cached prefix (only the question's few tokens are prefilled), so several questions about one video cost one
 * decode, one encode and one context prefill. `summary` lists what the model saw: the pipeline and its parameters,
 * the frames with their timestamps, the visual segments and token counts, and the time each step took.
 */
import type { VisualSegment } from '../core/token-stream.js';
import { AbortedError } from '../errors/index.js';
import type { PipelineDefinition } from '../graph/pipeline-definition.js';
import { runPipeline, type PipelineProgress } from '../pipeline/run-pipeline.js';
import type {
  ExecutionDevice,
  GenerationOptions,
  PromptSession,
  QuantizedCompute,
  VlmModel,
} from '../runtime/index.js';
import { chosenLetter } from './choice-prompt.js';
import { paperSystemMessage, renderQuestion, type QuestionKind } from './paper-prompt.js';
import { splitStageTimes } from './pipeline-timings.js';
import { defaultAnswerTokens, defaultVideoPipeline } from './use-defaults.js';
import { openVideoModel, videoEncoderFor } from './video-model.js';

export interface VideoContextOptions {
  /** A model alias or directory (default smolvlm2-256m), or a loaded model (the caller keeps ownership). */
  readonly model?: string | VlmModel;
  /** `--dtype` when the model is opened here. */
  readonly dtype?: string;
  /** `--device` when the model is opened here (cpu, cuda or auto; see docs/runtime.md), and where its notices go. */
  readonly device?: ExecutionDevice;
  /** `--quantized-compute` when the model is opened here (see docs/runtime.md). */
  readonly quantizedCompute?: QuantizedCompute;
  readonly onNotice?: (message: string) => void;
  /** Built-in pipeline name, pipeline file, or definition (default `uniform`). */
  readonly pipeline?: string | PipelineDefinition;
  /** Force an encoder spec; default the model's own vision encoder (a mismatching one is a GraphNegotiationError). */
  readonly encoder?: string;
  /** Visual-token budget (default the pipeline's). */
  readonly budget?: number;
  /** Time window of the video, seconds. */
  readonly start?: number;
  readonly end?: number;
  /** Question for question-conditioned stages (B-VLLM); the first question usually. */
  readonly question?: string;
  /** Optional system message before the user turn (replaces the paper's). */
  readonly systemPrompt?: string;
  /**
   * Ask in the pipeline's paper wording (its `prompt:` section: question templates, assistant prefix and
   * system message); default true. False: the question as written, the generic multiple-choice wording, no system
   * message unless `systemPrompt` is given.
   */
  readonly paperPrompt?: boolean;
  /** The kind of questions the context is opened for: picks the paper's system message (default open-ended). */
  readonly questionKind?: QuestionKind;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: PipelineProgress) => void;
}

export interface VisualSegmentSummary {
  readonly role: string;
  readonly count: number;
  readonly timestamps: readonly number[];
  readonly frameIndices: readonly number[];
}

export interface VideoContextTimings {
  /** Resolving and loading the model (0 when a loaded model was passed). */
  readonly loadModelMilliseconds: number;
  /** Wall time of the pipeline run (probe, decode, encode, compress; the stages overlap). */
  readonly pipelineMilliseconds: number;
  readonly decodeMilliseconds: number;
  readonly encodeMilliseconds: number;
  readonly compressMilliseconds: number;
  /** Prefill of the shared context (chat header + visual tokens), once per video. */
  readonly prefillMilliseconds: number;
}

export interface VideoContextSummary {
  readonly input: string;
  readonly model: { readonly family: string; readonly directory: string; readonly identity?: string };
  readonly pipeline: {
    readonly name: string;
    readonly encoder: string;
    readonly params: Readonly<Record<string, unknown>>;
    readonly budget: number;
    readonly approximation?: string;
  };
  readonly video: {
    readonly duration: number;
    readonly width: number;
    readonly height: number;
    readonly frameCount: number;
  };
  /** Frames the pipeline consumed, with their source index and timestamp (seconds). */
  readonly frames: readonly { readonly index: number; readonly pts: number }[];
  /** Visual tokens placed in the prompt; equals the sum of the segments' counts. */
  readonly visualTokens: number;
  readonly segments: readonly VisualSegmentSummary[];
  /** The system message prefilled before the video (the user's, else the paper's), when there is one. */
  readonly systemPrompt?: string;
  /** Token positions of the prefilled context (chat header + visual placeholders). */
  readonly contextTokens: number;
  readonly timings: VideoContextTimings;
}

export interface AnswerOptions extends GenerationOptions {
  /** Multiple choice: the question is formatted with these options (see choice-prompt.ts). */
  readonly choices?: readonly string[];
  /** Called with each piece of answer text as it is generated. */
  readonly onText?: (text: string) => void;
}

export interface VideoAnswer {
  readonly question: string;
  /** The text actually asked after the video (the pipeline's wording or the generic multiple-choice prompt). */
  readonly prompt: string;
  /**
   * The paper's assistant prefix the answer continued (`Answer: In the video,`); `answer` does not repeat it, so
   * the model's full turn is `assistantPrefix + ' ' + answer`.
   */
  readonly assistantPrefix?: string;
  readonly choices?: readonly string[];
  /** The option letter the answer starts with, for multiple choice. */
  readonly choice?: string;
  /** The generated text (after the assistant prefix, trimmed). */
  readonly answer: string;
  readonly generatedTokens: number;
  readonly stopReason: string;
  /** Positions prefilled for this question alone. */
  readonly prefilledTokens: number;
  /** Context positions reused from the video's prefill (not computed again). */
  readonly reusedTokens: number;
  readonly timings: {
    readonly prefillMilliseconds: number;
    readonly generateMilliseconds: number;
    readonly timeToFirstTokenMilliseconds: number;
  };
}

export interface VideoContext {
  readonly summary: VideoContextSummary;
  ask(question: string, options?: AnswerOptions): Promise<VideoAnswer>;
  /** Releases the prefilled context, and the model when it was opened here. */
  dispose(): Promise<void>;
}

function visualSegments(segments: readonly { type: string }[]): VisualSegment[] {
  return segments.filter((segment): segment is VisualSegment => segment.type === 'visual');
}

/** Opens a video: pipeline run + one prefill. Dispose the result. */
export async function openVideoContext(input: string, options: VideoContextOptions = {}): Promise<VideoContext> {
  const signal = options.signal;
  if (signal?.aborted) throw new AbortedError(`ask ${input}`, { cause: signal.reason });
  const opened =
    typeof options.model === 'object'
      ? undefined
      : await openVideoModel(options.model, {
          ...(options.dtype !== undefined ? { dtype: options.dtype } : {}),
          ...(options.device !== undefined ? { device: options.device } : {}),
          ...(options.quantizedCompute !== undefined ? { quantizedCompute: options.quantizedCompute } : {}),
          ...(options.onNotice ? { onNotice: options.onNotice } : {}),
          ...(signal ? { signal } : {}),
        });
  const model = typeof options.model === 'object' ? options.model : opened!.model;
  let session: PromptSession | undefined;
  let encoderToDispose: { dispose?: () => Promise<void> } | undefined;
  try {
    const { encoder, owned } = await videoEncoderFor(model, options.encoder, signal ? { signal } : {});
    if (owned) encoderToDispose = encoder;
    const pipelineStartedAt = performance.now();
    const run = await runPipeline(input, {
      pipeline: options.pipeline ?? defaultVideoPipeline,
      encoder,
      contextWindow: model.info.contextWindow,
      ...(options.question !== undefined ? { question: options.question } : {}),
      ...(options.budget !== undefined ? { budget: options.budget } : {}),
      ...(options.start !== undefined ? { start: options.start } : {}),
      ...(options.end !== undefined ? { end: options.end } : {}),
      ...(signal ? { signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    const pipelineMilliseconds = performance.now() - pipelineStartedAt;
    const paperPrompt = options.paperPrompt === false ? undefined : run.prompt;
    const systemPrompt = options.systemPrompt ?? paperSystemMessage(paperPrompt, options.questionKind ?? 'open-ended');
    session = await model.createSession(run, {
      videoDuration: run.probe.duration,
      ...(systemPrompt !== undefined ? { systemPrompt } : {}),
      ...(signal ? { signal } : {}),
    });
    const segments = visualSegments(run.segments);
    const summary: VideoContextSummary = {
      input,
      model: {
        family: model.info.family,
        directory: model.info.directory,
        ...(opened ? { identity: opened.identity } : {}),
      },
      pipeline: {
        name: run.metadata.pipeline,
        encoder: run.metadata.encoder,
        params: run.metadata.params,
        budget: run.plan.budget,
        ...(run.metadata.approximation ? { approximation: run.metadata.approximation } : {}),
      },
      video: {
        duration: run.probe.duration,
        width: run.probe.width,
        height: run.probe.height,
        frameCount: run.probe.frameCount,
      },
      frames: run.frames.map((frame) => ({ index: frame.index, pts: frame.pts })),
      visualTokens: segments.reduce((sum, segment) => sum + segment.count, 0),
      segments: segments.map((segment) => ({
        role: segment.role,
        count: segment.count,
        timestamps: segment.timestamps,
        frameIndices: segment.frameIndices,
      })),
      ...(systemPrompt !== undefined ? { systemPrompt } : {}),
      contextTokens: session.contextIds.length,
      timings: {
        loadModelMilliseconds: opened?.loadMilliseconds ?? 0,
        pipelineMilliseconds,
        ...splitStageTimes(run.metadata),
        prefillMilliseconds: session.prefillMilliseconds,
      },
    };
    const activeSession = session;
    const ask = async (question: string, answerOptions: AnswerOptions = {}): Promise<VideoAnswer> => {
      const { choices, onText, ...generation } = answerOptions;
      const rendered = renderQuestion(paperPrompt, question, choices);
      const prompt = rendered.text;
      const assistantPrefix = rendered.assistantPrefix;
      const run = activeSession.ask(prompt, {
        maxNewTokens: defaultAnswerTokens,
        ...generation,
        ...(assistantPrefix !== undefined ? { assistantPrefix } : {}),
        ...((generation.signal ?? signal) ? { signal: generation.signal ?? signal } : {}),
      });
      if (onText) {
        for await (const delta of run) if (delta.text) onText(delta.text);
      }
      const result = await run.result();
      const answer = result.text.trim();
      const choice = choices && choices.length > 0 ? chosenLetter(answer, choices.length) : undefined;
      return {
        question,
        prompt,
        ...(assistantPrefix !== undefined ? { assistantPrefix } : {}),
        ...(choices && choices.length > 0 ? { choices: [...choices] } : {}),
        ...(choice !== undefined ? { choice } : {}),
        answer,
        generatedTokens: result.stats.generatedTokens,
        stopReason: result.stats.stopReason,
        prefilledTokens: result.stats.promptTokens,
        reusedTokens: result.stats.reusedTokens,
        timings: {
          prefillMilliseconds: result.stats.prefillMilliseconds,
          generateMilliseconds: result.stats.generateMilliseconds,
          timeToFirstTokenMilliseconds: result.stats.timeToFirstTokenMilliseconds,
        },
      };
    };
    let disposed = false;
    return {
      summary,
      ask,
      dispose: async () => {
        if (disposed) return;
        disposed = true;
        await activeSession.dispose();
        await encoderToDispose?.dispose?.().catch(() => undefined);
        if (opened) await opened.model.dispose();
      },
    };
  } catch (error) {
    await session?.dispose().catch(() => undefined);
    await encoderToDispose?.dispose?.().catch(() => undefined);
    if (opened) await opened.model.dispose().catch(() => undefined);
    throw error;
  }
}

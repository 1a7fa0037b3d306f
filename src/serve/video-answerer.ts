/**
 * @file The model side of the server: loads the model once (child runner), resolves pipelines (the server's
 * `--pipeline` and, from requests, built-in names only), and answers one question at a time from a prefilled video
 * context taken from the LRU cache or opened now. Text goes to `onText` as it is generated; when `isCancelled()`
 * turns true the generation is stopped after the current decode step (the runner keeps its other contexts), and
 * the metrics count it.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { PipelineDefinition } from '../graph/pipeline-definition.js';
import { listBuiltInPipelines, resolvePipeline } from '../graph/pipeline-registry.js';
import { findModelAlias } from '../hub/index.js';
import type { ExecutionDevice, QuantizedCompute, VlmModel } from '../runtime/index.js';
import { questionKind, renderQuestion } from '../uses/paper-prompt.js';
import { defaultVideoPipeline } from '../uses/use-defaults.js';
import { openVideoContext, type VideoAnswer, type VideoContext } from '../uses/video-context.js';
import { openVideoModel } from '../uses/video-model.js';
import type { ChatRequest } from './chat-request.js';
import { ContextCache, contextKey } from './context-cache.js';
import type { ResolvedMedia } from './media-resolver.js';
import { HttpError } from './openai-error.js';
import type { ServerMetrics } from './server-metrics.js';

export interface VideoAnswererOptions {
  readonly model: string;
  readonly dtype?: string;
  readonly threads?: number;
  /** cpu (default), cuda or auto (see docs/runtime.md). */
  readonly device?: ExecutionDevice;
  /** How MatMulNBits graphs compute on the CPU (default auto). */
  readonly quantizedCompute?: QuantizedCompute;
  /** One line per fallback the model load made (`device auto: running on the CPU (…)`). */
  readonly onNotice?: (message: string) => void;
  /** The default pipeline: a built-in name or a pipeline file (server configuration, not a request). */
  readonly pipeline?: string;
  /** Prefilled contexts kept (default 4). */
  readonly cacheSize?: number;
  /** The id `/v1/models` lists (default: the alias, else the model directory's name). */
  readonly modelName?: string;
}

export interface AnswerHooks {
  readonly onContext?: (cacheHit: boolean) => void;
  readonly onText?: (text: string) => void;
  readonly isCancelled: () => boolean;
}

export interface AnsweredQuestion {
  readonly answer: VideoAnswer;
  readonly context: VideoContext;
  readonly cacheHit: boolean;
  /** From the start of `answer()` to the first generated text, milliseconds. */
  readonly timeToFirstTokenMilliseconds: number;
}

/** Raised inside generation when the client went away; the server turns it into a cancelled count. */
export class ClientGoneError extends Error {
  constructor() {
    super('client disconnected');
    this.name = 'ClientGoneError';
  }
}

const questionConditionedStages = new Set(['b-vllm', 'select-frames']);

export class VideoAnswerer {
  private model: VlmModel | undefined;
  private identity = '';
  private defaultPipeline: PipelineDefinition | undefined;
  private defaultPipelineKey = '';
  private builtIns = new Map<string, PipelineDefinition>();
  private readonly cache: ContextCache;
  private disposed = false;
  /** The id requests name in `model`. */
  readonly modelId: string;

  constructor(
    private readonly options: VideoAnswererOptions,
    private readonly metrics: ServerMetrics,
  ) {
    this.cache = new ContextCache(options.cacheSize ?? 4);
    this.modelId =
      options.modelName ??
      (findModelAlias(options.model) ? options.model : basename(options.model.replace(/[/\\]+$/, '')));
  }

  get ready(): boolean {
    return this.model !== undefined;
  }

  /** Loads the model and the pipelines; call once. */
  async load(signal?: AbortSignal): Promise<void> {
    const [opened, builtIns, pipeline] = await Promise.all([
      openVideoModel(this.options.model, {
        ...(this.options.dtype !== undefined ? { dtype: this.options.dtype } : {}),
        ...(this.options.threads !== undefined ? { threads: this.options.threads } : {}),
        ...(this.options.device !== undefined ? { device: this.options.device } : {}),
        ...(this.options.quantizedCompute !== undefined ? { quantizedCompute: this.options.quantizedCompute } : {}),
        ...(this.options.onNotice ? { onNotice: this.options.onNotice } : {}),
        ...(signal ? { signal } : {}),
      }),
      listBuiltInPipelines(signal ? { signal } : {}),
      resolvePipeline(this.options.pipeline ?? defaultVideoPipeline, signal ? { signal } : {}),
    ]);
    if (this.disposed) {
      await opened.model.dispose();
      return;
    }
    this.builtIns = new Map(builtIns.map((definition) => [definition.name, definition]));
    this.defaultPipeline = pipeline;
    this.defaultPipelineKey = `${pipeline.name}#${createHash('sha256').update(JSON.stringify(pipeline)).digest('hex').slice(0, 16)}`;
    this.identity = opened.identity;
    this.model = opened.model;
    this.metrics.modelLoaded.set(1);
  }

  /** Checks the request's model and pipeline before it is queued (404 unknown model, 400 unknown pipeline). */
  check(request: ChatRequest): void {
    if (request.model !== this.modelId && request.model !== this.options.model) {
      throw new HttpError(
        404,
        'not_found_error',
        `The model '${request.model}' does not exist (this server serves '${this.modelId}')`,
        'model_not_found',
        'model',
      );
    }
    if (request.vidtok.pipeline !== undefined && !this.builtIns.has(request.vidtok.pipeline)) {
      throw new HttpError(
        400,
        'invalid_request_error',
        `vidtok.pipeline: no built-in pipeline '${request.vidtok.pipeline}' (built-in: ${[...this.builtIns.keys()].join(', ')})`,
        'invalid_pipeline',
        'vidtok.pipeline',
      );
    }
  }

  /** Answers `request` about `media`; runs one at a time (the server's queue guarantees it). */
  async answer(request: ChatRequest, media: ResolvedMedia, hooks: AnswerHooks): Promise<AnsweredQuestion> {
    const model = this.model;
    if (model === undefined || this.defaultPipeline === undefined)
      throw new HttpError(503, 'server_error', 'the model is loading', 'model_loading', null, { 'Retry-After': '5' });
    const startedAt = performance.now();
    const options = request.vidtok;
    const pipeline = options.pipeline !== undefined ? this.builtIns.get(options.pipeline)! : this.defaultPipeline;
    const pipelineKey = options.pipeline !== undefined ? `builtin:${options.pipeline}` : this.defaultPipelineKey;
    const paperPrompt = options.paperPrompt !== false;
    const kind = questionKind(options.choices);
    const conditioned = pipeline.stages.some((stage) => questionConditionedStages.has(stage.use));
    const condition = renderQuestion(paperPrompt ? pipeline.prompt : undefined, request.question, options.choices).text;
    const key = contextKey({
      contentKey: media.contentKey,
      model: this.identity,
      pipeline: pipelineKey,
      ...(options.budget !== undefined ? { budget: options.budget } : {}),
      ...(options.start !== undefined ? { start: options.start } : {}),
      ...(options.end !== undefined ? { end: options.end } : {}),
      ...(request.systemPrompt !== undefined ? { systemPrompt: request.systemPrompt } : {}),
      paperPrompt,
      questionKind: kind,
      ...(conditioned ? { question: condition } : {}),
    });
    let context = this.cache.get(key);
    const cacheHit = context !== undefined;
    if (context === undefined) {
      this.metrics.cacheMisses.inc();
      context = await openVideoContext(media.input, {
        model,
        pipeline,
        question: condition,
        questionKind: kind,
        paperPrompt,
        ...(options.budget !== undefined ? { budget: options.budget } : {}),
        ...(options.start !== undefined ? { start: options.start } : {}),
        ...(options.end !== undefined ? { end: options.end } : {}),
        ...(request.systemPrompt !== undefined ? { systemPrompt: request.systemPrompt } : {}),
      });
      const prefill = context.summary.timings.prefillMilliseconds;
      if (prefill > 0) this.metrics.prefillRate.set(context.summary.contextTokens / (prefill / 1000));
    } else this.metrics.cacheHits.inc();
    const kept = await this.cache.put(key, context);
    this.metrics.cacheEntries.set(this.cache.size);
    hooks.onContext?.(cacheHit);
    let firstTextAt = 0;
    let streamed = 0;
    this.metrics.activeGenerations.inc();
    try {
      if (hooks.isCancelled()) throw new ClientGoneError();
      const answer = await context.ask(request.question, {
        ...request.generation,
        ...(options.choices ? { choices: options.choices } : {}),
        onText: (text) => {
          if (firstTextAt === 0) {
            firstTextAt = performance.now();
            this.metrics.timeToFirstToken.observe(
              { cache: cacheHit ? 'hit' : 'miss' },
              (firstTextAt - startedAt) / 1000,
            );
          }
          streamed += 1;
          this.metrics.generatedTokens.inc();
          // Thrown inside the generation's iteration: it stops after this step and releases the question's context.
          if (hooks.isCancelled()) throw new ClientGoneError();
          hooks.onText?.(text);
        },
      });
      this.metrics.generatedTokens.inc(Math.max(0, answer.generatedTokens - streamed));
      this.metrics.promptTokens.inc({ origin: 'reused' }, answer.reusedTokens);
      this.metrics.promptTokens.inc(
        { origin: 'prefilled' },
        answer.prefilledTokens + (cacheHit ? 0 : answer.reusedTokens),
      );
      if (answer.timings.generateMilliseconds > 0 && answer.generatedTokens > 1) {
        this.metrics.decodeRate.set((answer.generatedTokens - 1) / (answer.timings.generateMilliseconds / 1000));
      }
      if (firstTextAt === 0) firstTextAt = performance.now();
      return { answer, context, cacheHit, timeToFirstTokenMilliseconds: firstTextAt - startedAt };
    } catch (error) {
      if (error instanceof ClientGoneError) this.metrics.cancelled.inc();
      throw error;
    } finally {
      this.metrics.activeGenerations.dec();
      if (!kept) await context.dispose().catch(() => undefined);
    }
  }

  /** Releases every context and the model. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.cache.clear();
    const model = this.model;
    this.model = undefined;
    await model?.dispose().catch(() => undefined);
  }
}

/**
 * @file Loading an ONNX VLM export and talking to it: `loadModel(dir)` checks the files, starts the runner (a child
 * process by default, so onnxruntime's blocking calls and native crashes stay out of this process), cross-checks
 * config and graphs, and returns a `VlmModel`. `createSession(stream)` assembles the prompt from a token stream
 * (visual rows written in order at the placeholder positions) and prefills it once in chunks; each `ask(question)`
 * continues from that cached prefix and streams the answer.
 */
import type { VisualEncoder } from '../core/encoder.js';
import type { TokenStream } from '../core/token-stream.js';
import { AbortedError, ContextOverflowError, InputRejectedError } from '../errors/index.js';
import type { ModelFamily, PromptOptions } from '../models/index.js';
import { startChildRunner } from './child-runner.js';
import { decodeLoop, type GenerationDelta, type GenerationOptions, type GenerationResult } from './generation.js';
import { readModelFamily, resolveModelInfo, type ModelInfo } from './model-config.js';
import { createModelEncoder, type ModelEncoderOptions } from './model-encoder.js';
import { createModelEngine } from './model-engine.js';
import { locateModelFiles, type DtypeChoice } from './model-files.js';
import type { LoadedGraphs, ModelRunner } from './model-runner.js';
import type { ExecutionDevice, QuantizedCompute } from './onnx-session.js';
import { loadTextTokenizer, type TextTokenizer } from './text-tokenizer.js';
import { readVideoNewline, videoNewlineSegment } from './video-newline.js';

export interface LoadModelOptions {
  /** One dtype for every graph (`q4`) or one per graph; transformers.js names. Default fp32. */
  readonly dtype?: DtypeChoice;
  /** Where the sessions live (default 'child'). */
  readonly runner?: 'in-process' | 'child';
  /** onnxruntime intra-op threads (default: onnxruntime's choice). */
  readonly threads?: number;
  /** Deadline of one runner call, milliseconds (child runner; default 10 minutes). */
  readonly callTimeoutMs?: number;
  /** Load without vision_encoder when the export has none (text + precomputed tokens only). Default false. */
  readonly allowMissingVision?: boolean;
  /** `cpu` (default), `cuda` (an error when unavailable) or `auto` (CUDA when usable, else CPU with a notice). */
  readonly device?: ExecutionDevice;
  /**
   * How quantized (MatMulNBits) graphs compute on the CPU: `auto` (default: 8-bit nodes with int8 activations, the
   * only fast CPU path onnxruntime has for them), `int8` (4-bit nodes too) or `exported` (as the files say). Which
   * nodes changed is in `graphs.int8MatMulNodes`; docs/runtime.md has the figures.
   */
  readonly quantizedCompute?: QuantizedCompute;
  /** Receives one-line notices, such as `auto` falling back to the CPU (library code never prints). */
  readonly onNotice?: (message: string) => void;
  readonly signal?: AbortSignal;
}

export interface SessionOptions extends PromptOptions {
  /** Tokens per decoder call during prefill (default 512): bounds the all-positions logits output. */
  readonly prefillChunkSize?: number;
  readonly signal?: AbortSignal;
}

/** A streamed answer: iterate it for deltas, or await `result()` (which consumes whatever is left). */
export interface Generation extends AsyncIterable<GenerationDelta> {
  result(): Promise<GenerationResult>;
}

/** A prefilled prompt (system + video context) that answers several questions without prefilling it again. */
export interface PromptSession {
  /** Token ids of the shared context (chat header + media). */
  readonly contextIds: Int32Array;
  /** Visual rows written at the placeholder positions, `count * hidden`. */
  readonly visualRows: Float32Array;
  readonly prefillMilliseconds: number;
  /** Token ids of the part after the context for `question` (ending with `assistantPrefix` when given). */
  questionIds(question: string, assistantPrefix?: string): Int32Array;
  /** Answers `question`; with `assistantPrefix` the assistant turn starts with it and generation continues it. */
  ask(question: string, options?: GenerationOptions & { readonly assistantPrefix?: string }): Generation;
  dispose(): Promise<void>;
}

export interface VlmModel {
  readonly info: ModelInfo;
  /** Every graph's inputs and outputs (names, element types, shapes) as onnxruntime reports them. */
  readonly graphs: LoadedGraphs;
  readonly family: ModelFamily;
  readonly tokenizer: TextTokenizer;
  /** The session host; exposed for tests and benchmarks. */
  readonly runner: ModelRunner;
  /** The model's visual encoder (shares this model's runner). */
  encoder(options?: ModelEncoderOptions): VisualEncoder;
  createSession(stream: TokenStream, options?: SessionOptions): Promise<PromptSession>;
  /** One question about one stream: prefill, stream the answer, release the context. */
  generate(stream: TokenStream, question: string, options?: SessionOptions & GenerationOptions): Generation;
  dispose(): Promise<void>;
}

let sessionCounter = 0;

/**
 * Concatenated visual rows of the stream after checking their dims against the LM hidden size, with `newline`'s row
 * written right after the rows of segment `afterSegment` when given.
 */
function visualRowsOf(
  stream: TokenStream,
  info: ModelInfo,
  newline?: { readonly afterSegment: number; readonly row: Float32Array },
): Float32Array {
  if (stream.dim !== info.hidden) {
    throw new InputRejectedError(
      'token stream',
      `visual tokens are ${stream.dim}-d but the ${info.family} LM hidden size is ${info.hidden} (use this model's encoder)`,
    );
  }
  let count = 0;
  for (const segment of stream.segments) {
    if (segment.type !== 'visual') continue;
    if (segment.dim !== info.hidden || segment.tokens.length !== segment.count * segment.dim) {
      throw new InputRejectedError(
        'token stream',
        `a ${segment.role} segment has ${segment.tokens.length} values for ${segment.count} tokens of ${segment.dim}-d (LM hidden size ${info.hidden})`,
      );
    }
    count += segment.count;
  }
  const rows = new Float32Array((count + (newline === undefined ? 0 : 1)) * info.hidden);
  let offset = 0;
  stream.segments.forEach((segment, index) => {
    if (segment.type !== 'visual') return;
    rows.set(segment.tokens, offset);
    offset += segment.tokens.length;
    if (newline !== undefined && index === newline.afterSegment) {
      rows.set(newline.row, offset);
      offset += newline.row.length;
    }
  });
  return rows;
}

class GenerationRun implements Generation {
  private started = false;
  private readonly settled: Promise<GenerationResult>;
  private settle!: (result: GenerationResult) => void;
  private fail!: (error: unknown) => void;

  constructor(private readonly generator: AsyncGenerator<GenerationDelta, GenerationResult>) {
    this.settled = new Promise<GenerationResult>((resolve, reject) => {
      this.settle = resolve;
      this.fail = reject;
    });
    this.settled.catch(() => undefined);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<GenerationDelta, void> {
    if (this.started) throw new RangeError('a generation can be iterated only once');
    this.started = true;
    let finished = false;
    try {
      while (true) {
        const next = await this.generator.next();
        if (next.done) {
          finished = true;
          this.settle(next.value);
          return;
        }
        yield next.value;
      }
    } catch (error) {
      finished = true;
      this.fail(error);
      throw error;
    } finally {
      if (!finished) {
        await this.generator.return(undefined as never);
        this.fail(new AbortedError('generate (iteration stopped early)'));
      }
    }
  }

  async result(): Promise<GenerationResult> {
    if (!this.started) for await (const delta of this) void delta;
    return this.settled;
  }
}

/** Loads the ONNX VLM export in `directory`. */
export async function loadModel(directory: string, options: LoadModelOptions = {}): Promise<VlmModel> {
  if (options.signal?.aborted) throw new AbortedError('load model');
  const files = locateModelFiles(directory, {
    ...(options.dtype === undefined ? {} : { dtype: options.dtype }),
    requireVision: !options.allowMissingVision,
  });
  const family = readModelFamily(files);
  const tokenizer = loadTextTokenizer(files);
  const runner: ModelRunner =
    options.runner === 'in-process'
      ? createModelEngine()
      : await startChildRunner(options.callTimeoutMs === undefined ? {} : { callTimeoutMs: options.callTimeoutMs });
  let info: ModelInfo;
  let graphs: LoadedGraphs;
  try {
    graphs = await runner.load(
      {
        files,
        ...(options.threads === undefined ? {} : { threads: options.threads }),
        ...(options.device === undefined ? {} : { device: options.device }),
        ...(options.quantizedCompute === undefined ? {} : { quantizedCompute: options.quantizedCompute }),
      },
      options.signal ? { signal: options.signal } : {},
    );
    for (const notice of graphs.notices) options.onNotice?.(notice);
    info = resolveModelInfo(files, graphs);
  } catch (error) {
    await runner.dispose().catch(() => undefined);
    throw error;
  }
  const videoNewline = readVideoNewline(files.directory, info.hidden);
  if (videoNewline !== undefined) info = { ...info, extraVisualTokens: 1 };
  const placeholderIds = family.placeholderTokens.map((token) => {
    const id = tokenizer.tokenId(token);
    if (id === undefined) throw new InputRejectedError(files.tokenizer, `has no ${token} token`);
    return id;
  });

  const model: VlmModel = {
    info,
    graphs,
    family,
    tokenizer,
    runner,

    encoder(encoderOptions: ModelEncoderOptions = {}) {
      // The learned newline (LLaVA-OneVision) also ends every packed row of a native-resolution image (anyres).
      return createModelEncoder(
        { info, family, runner, tokenizer },
        videoNewline === undefined ? encoderOptions : { ...encoderOptions, imageNewline: videoNewline },
      );
    },

    async createSession(stream: TokenStream, sessionOptions: SessionOptions = {}): Promise<PromptSession> {
      const newlineAfter = videoNewline === undefined ? -1 : videoNewlineSegment(stream);
      const visualRows = visualRowsOf(
        stream,
        info,
        newlineAfter < 0 ? undefined : { afterSegment: newlineAfter, row: videoNewline! },
      );
      const promptOptions: SessionOptions =
        newlineAfter < 0 ? sessionOptions : { ...sessionOptions, videoNewlineAfterSegment: newlineAfter };
      const contextIds = Int32Array.from(tokenizer.encode(family.contextText(stream, tokenizer, promptOptions)));
      if (contextIds.length > info.contextWindow) throw new ContextOverflowError(contextIds.length, info.contextWindow);
      const chunkSize = sessionOptions.prefillChunkSize ?? 512;
      const name = `session-${++sessionCounter}`;
      const prefill = await runner.prefill(
        { context: name, inputIds: contextIds, placeholderIds, visualRows, chunkSize },
        sessionOptions.signal ? { signal: sessionOptions.signal } : {},
      );
      let questionCounter = 0;
      const questionIds = (question: string, assistantPrefix?: string): Int32Array =>
        Int32Array.from(
          tokenizer.encode(
            family.questionText(
              question,
              tokenizer,
              assistantPrefix === undefined ? sessionOptions : { ...sessionOptions, assistantPrefix },
            ),
          ),
        );

      async function* answer(
        question: string,
        generation: GenerationOptions & { readonly assistantPrefix?: string },
      ): AsyncGenerator<GenerationDelta, GenerationResult> {
        const startedAt = performance.now();
        const ids = questionIds(question, generation.assistantPrefix);
        const needed = contextIds.length + ids.length;
        if (needed > info.contextWindow) throw new ContextOverflowError(needed, info.contextWindow);
        const context = `${name}-q${++questionCounter}`;
        const callOptions = generation.signal ? { signal: generation.signal } : {};
        const questionPrefill = await runner.prefill(
          { context, base: name, inputIds: ids, placeholderIds, visualRows: new Float32Array(0), chunkSize },
          callOptions,
        );
        try {
          return yield* decodeLoop(
            {
              runner,
              tokenizer,
              context,
              firstLogits: questionPrefill.logits,
              seenIds: [...contextIds, ...ids],
              eos: info.eos,
              positionsLeft: info.contextWindow - needed,
              promptTokens: ids.length,
              reusedTokens: contextIds.length,
              prefillMilliseconds: questionPrefill.milliseconds,
              startedAt,
            },
            generation,
          );
        } finally {
          await runner.release(context).catch(() => undefined);
        }
      }

      return {
        contextIds,
        visualRows,
        prefillMilliseconds: prefill.milliseconds,
        questionIds,
        ask: (question: string, generation: GenerationOptions & { readonly assistantPrefix?: string } = {}) =>
          new GenerationRun(answer(question, generation)),
        dispose: () => runner.release(name).catch(() => undefined),
      };
    },

    generate(stream: TokenStream, question: string, options: SessionOptions & GenerationOptions = {}): Generation {
      async function* once(): AsyncGenerator<GenerationDelta, GenerationResult> {
        const session = await model.createSession(stream, options);
        try {
          const generation = session.ask(question, options);
          for await (const delta of generation) yield delta;
          return await generation.result();
        } finally {
          await session.dispose();
        }
      }
      return new GenerationRun(once());
    },

    dispose: () => runner.dispose(),
  };
  return model;
}

/**
 * @file The contract between the model code and whatever hosts the ONNX sessions: the in-process engine, or the
 * child-process runner that keeps onnxruntime's blocking `run` (and any native crash) away from the coordinating
 * process. Every payload is structured-clone friendly (typed arrays, plain objects) so it crosses IPC unchanged.
 */
import type { ModelFiles } from './model-files.js';
import type { ExecutionDevice, GraphPort, QuantizedCompute } from './onnx-session.js';

export interface CallOptions {
  readonly signal?: AbortSignal;
}

/** What the loaded graphs say about themselves (from session metadata). */
export interface LoadedGraphs {
  readonly embed: { readonly inputs: readonly GraphPort[]; readonly outputs: readonly GraphPort[] };
  readonly decoder: { readonly inputs: readonly GraphPort[]; readonly outputs: readonly GraphPort[] };
  readonly vision?: { readonly inputs: readonly GraphPort[]; readonly outputs: readonly GraphPort[] };
  /** The device the decoder runs on (the others run there too unless a notice says otherwise). */
  readonly device: 'cpu' | 'cuda';
  /** One line per fallback `auto` made (for example no CUDA binaries), for the caller to show. */
  readonly notices: readonly string[];
  /**
   * Per graph, the MatMulNBits nodes that run with int8 activations although the file asks for more precision
   * (`quantizedCompute`; zero for graphs without such nodes). A deviation from the export, reported here.
   */
  readonly int8MatMulNodes: Readonly<Record<'embed_tokens' | 'decoder_model_merged' | 'vision_encoder', number>>;
  /**
   * Decoder layers whose attention runs buffered (src/runtime/buffered-attention.ts: the KV cache is read in place
   * and each call returns only its new rows); 0 when the decoder runs its attention as exported.
   */
  readonly bufferedAttentionLayers: number;
  /** Why the decoder's attention runs as exported although the rewrite was tried (one line), when it does. */
  readonly bufferedAttentionSkipped?: string;
  /** Derived from the decoder metadata. */
  readonly decoderShape: {
    readonly hidden: number;
    readonly layers: number;
    readonly kvHeads: number;
    readonly headDim: number;
    readonly vocab: number;
  };
}

export interface LoadRequest {
  readonly files: ModelFiles;
  readonly threads?: number;
  /** Default `cpu`. */
  readonly device?: ExecutionDevice;
  /** How MatMulNBits nodes compute on the CPU; default `auto` (see QuantizedCompute). */
  readonly quantizedCompute?: QuantizedCompute;
}

/** Vision encoder output `[count, tokens, hidden]`. */
export interface ImageFeatures {
  readonly data: Float32Array;
  readonly count: number;
  readonly tokens: number;
  readonly hidden: number;
}

export interface PrefillRequest {
  /** Name of the context to create (replaced if it exists). */
  readonly context: string;
  /** Context whose cache this one continues (shared, not copied); absent = start empty. */
  readonly base?: string;
  readonly inputIds: Int32Array;
  /** Token ids whose embedding rows are replaced, in order, by `visualRows`. */
  readonly placeholderIds: readonly number[];
  /** `count * hidden` values. */
  readonly visualRows: Float32Array;
  /** Tokens per decoder call (bounds the all-positions logits output). */
  readonly chunkSize: number;
}

export interface ForwardResult {
  /** Logits of the last position, float32, length vocab. */
  readonly logits: Float32Array;
  /** Context length (cached positions) after the call. */
  readonly length: number;
  /** Time spent in the call, milliseconds. */
  readonly milliseconds: number;
  /** Decode steps: whether the step appended to the context's preallocated KV buffers (GroupQueryAttention). */
  readonly inPlaceKv?: boolean;
}

export interface StepRequest {
  readonly context: string;
  readonly tokenId: number;
}

/** Hosts the sessions and the named KV-cache contexts. */
export interface ModelRunner {
  readonly kind: 'in-process' | 'child';
  load(request: LoadRequest, options?: CallOptions): Promise<LoadedGraphs>;
  encodeImages(pixels: Float32Array, count: number, options?: CallOptions): Promise<ImageFeatures>;
  /** Embedding rows `[ids.length, hidden]` of token ids. */
  embed(ids: Int32Array, options?: CallOptions): Promise<Float32Array>;
  prefill(request: PrefillRequest, options?: CallOptions): Promise<ForwardResult>;
  step(request: StepRequest, options?: CallOptions): Promise<ForwardResult>;
  release(context: string, options?: CallOptions): Promise<void>;
  dispose(): Promise<void>;
}

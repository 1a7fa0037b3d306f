/**
 * @file The one place that imports onnxruntime-node: opens an ONNX graph as a session on a device (CPU, or CUDA when
 * onnxruntime-node's CUDA binaries are installed; `auto` falls back to the CPU with a notice), exposes its
 * input/output metadata (names, element types, shapes with symbolic dims as strings) and runs it on plain tensors.
 * Everything else in the runtime talks to graphs through `GraphSession`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ModelLoadError } from '../errors/index.js';
import { float16Bits } from './float16.js';
import { type AttentionHeads, rewriteBufferedAttention } from './buffered-attention.js';
import { raiseMatMulNBitsAccuracy } from './matmul-nbits-accuracy.js';
import { type OnnxFileScan, scanOnnxFile } from './onnx-file-scan.js';

/** Element types the runtime feeds or reads. */
export type TensorElementType = 'float32' | 'float16' | 'int64' | 'int32' | 'bool' | 'uint8' | 'int8';

/** Typed-array storage for each element type (float16 as raw Uint16 bits; outputs may hand back a Float16Array). */
export type TensorData = Float32Array | Uint16Array | BigInt64Array | Int32Array | Uint8Array | Int8Array;

/** A tensor as the runtime handles it; onnxruntime's own tensors satisfy it, so outputs can be fed back unchanged. */
export interface HostTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

/** One input or output of a graph, from the session metadata. Symbolic dims are strings, unknown dims are -1. */
export interface GraphPort {
  readonly name: string;
  readonly type: string;
  readonly shape: readonly (number | string)[];
}

/**
 * Where the graphs run: `cpu`; `cuda` (onnxruntime-node's CUDA execution provider, an error when it is unavailable);
 * `auto` (CUDA when its binaries are installed and a session opens on it, else CPU with a notice).
 */
export type ExecutionDevice = 'cpu' | 'cuda' | 'auto';

/**
 * How `com.microsoft:MatMulNBits` nodes compute on the CPU (src/runtime/matmul-nbits-accuracy.ts says why):
 * `auto` (default) runs 8-bit nodes with int8 activations (accuracy_level 4, the only level onnxruntime's CPU
 * kernels have an optimized path for with 8-bit weights) and keeps 4-bit nodes as exported; `int8` raises 4-bit
 * nodes too; `exported` keeps every node's level as the file has it. Ignored off the CPU.
 */
export type QuantizedCompute = 'auto' | 'int8' | 'exported';

export interface GraphSessionOptions {
  /** Threads for one operator (onnxruntime's intra-op pool); default: onnxruntime's choice. */
  readonly threads?: number;
  /** Default `cpu`. */
  readonly device?: ExecutionDevice;
  /** Default `auto`. */
  readonly quantizedCompute?: QuantizedCompute;
  /**
   * A decoder's head counts: its older-style attention is rewritten to read KV buffers in place and return only
   * the new rows (buffered-attention.ts; CPU only). Absent: the graph's attention runs as exported.
   */
  readonly bufferedAttention?: AttentionHeads;
}

/** An open ONNX graph. */
export interface GraphSession {
  readonly path: string;
  /** The device the session was opened on. */
  readonly device: 'cpu' | 'cuda';
  /** Why `auto` ended on the CPU, when it did (one line). */
  readonly notice?: string;
  /** MatMulNBits nodes this session runs with int8 activations although the file asks for more precision. */
  readonly int8MatMulNodes: number;
  /**
   * Decoder layers whose attention was rewritten to read KV buffers in place (`bufferedAttention`): their
   * `past_key_values.*` are buffers with spare rows and `present.*` are the new rows only. 0 when not rewritten.
   */
  readonly bufferedAttentionLayers: number;
  /** Why `bufferedAttention` left the graph as exported, when it was asked for. */
  readonly bufferedAttentionSkipped?: string;
  /** Node count per operator in the file (`domain:op_type` for contrib domains), from its structural scan. */
  readonly operators: Readonly<Record<string, number>>;
  readonly inputs: readonly GraphPort[];
  readonly outputs: readonly GraphPort[];
  /**
   * Runs the graph. `outputs`, when given, names the outputs to fetch: a tensor is written in place (a preallocated
   * output; the same tensor as a feed lets GroupQueryAttention append to its KV buffer), null is allocated by
   * onnxruntime. Without it every output is fetched.
   */
  run(
    feeds: Readonly<Record<string, HostTensor>>,
    outputs?: Readonly<Record<string, HostTensor | null>>,
  ): Promise<Record<string, HostTensor>>;
  dispose(): Promise<void>;
}

/** Creates a tensor of `type` and `dims` from typed data. */
export function createTensor(type: TensorElementType, data: TensorData, dims: readonly number[]): HostTensor {
  return new ort.Tensor(type, data as never, dims);
}

function toPort(metadata: ort.InferenceSession.ValueMetadata): GraphPort {
  if (!metadata.isTensor) return { name: metadata.name, type: 'non-tensor', shape: [] };
  return { name: metadata.name, type: metadata.type, shape: [...metadata.shape] };
}

/**
 * onnxruntime-node 1.30's native binding reads a float16 feed only from a Uint16Array: a Float16Array (which
 * onnxruntime-common substitutes on Node 24, even for Uint16Array data) reaches it with a byte length of 0 and the run
 * fails with `not enough space: expected N, got 0` (microsoft/onnxruntime PR 32323, open). So a float16 feed's
 * storage is set back to a Uint16Array view over the same bytes before the run, as transformers.js does. The
 * tensor's values are unchanged; readers go through `float16Bits`, which accepts both.
 */
function withUint16Storage(tensor: ort.Tensor): ort.Tensor {
  if (tensor.type !== 'float16') return tensor;
  const storage = tensor as unknown as { cpuData?: unknown };
  if (storage.cpuData !== undefined && !(storage.cpuData instanceof Uint16Array))
    storage.cpuData = float16Bits(storage.cpuData);
  return tensor;
}

function toOrtTensor(tensor: HostTensor): ort.Tensor {
  if (tensor instanceof ort.Tensor) return withUint16Storage(tensor);
  const data = tensor.type === 'float16' ? float16Bits(tensor.data) : tensor.data;
  return withUint16Storage(new ort.Tensor(tensor.type as TensorElementType, data as never, tensor.dims));
}

const cudaInstallHint =
  "onnxruntime-node's CUDA binaries are not installed (they are downloaded at install time: npm install onnxruntime-node --onnxruntime-node-install=cuda12; this project's .npmrc skips them)";

/**
 * Whether onnxruntime-node's CUDA execution provider library sits next to its native binding (the package bundles
 * only the CPU binaries; the CUDA ones come from its install script).
 */
export function cudaProviderInstalled(): boolean {
  const packageRoot = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
  const binRoot = join(packageRoot, 'bin');
  if (!existsSync(binRoot)) return false;
  const library = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return readdirSync(binRoot)
    .filter((entry) => entry.startsWith('napi-v'))
    .some((napi) => existsSync(join(binRoot, napi, process.platform, process.arch, library)));
}

interface CpuGraphSource {
  readonly source: string | Uint8Array;
  readonly int8MatMulNodes: number;
  readonly bufferedAttentionLayers: number;
  readonly bufferedAttentionSkipped?: string;
}

/**
 * What the CPU session loads: the file itself, or its bytes rewritten in memory (MatMulNBits nodes raised to int8
 * compute; a decoder's attention buffered). A graph whose weights live in external data is kept as exported (loaded
 * from memory, onnxruntime could not find them).
 */
function cpuGraphSource(path: string, scan: OnnxFileScan, options: GraphSessionOptions): CpuGraphSource {
  const mode = options.quantizedCompute ?? 'auto';
  const raise = mode !== 'exported' && (scan.operators['com.microsoft:MatMulNBits'] ?? 0) > 0;
  const heads =
    (scan.operators['Concat'] ?? 0) > 0 && (scan.operators['com.microsoft:GroupQueryAttention'] ?? 0) === 0
      ? options.bufferedAttention
      : undefined;
  const asExported = { source: path, int8MatMulNodes: 0, bufferedAttentionLayers: 0 };
  if (!raise && heads === undefined) return asExported;
  if (scan.externalLocations.length > 0)
    return heads !== undefined
      ? { ...asExported, bufferedAttentionSkipped: 'the weights are in external data files' }
      : asExported;
  let bytes: Uint8Array = readFileSync(path);
  let int8MatMulNodes = 0;
  if (raise) {
    const raised = raiseMatMulNBitsAccuracy(bytes, { bits: mode === 'int8' ? [4, 8] : [8] });
    bytes = raised.bytes;
    int8MatMulNodes = raised.raisedNodes;
  }
  let bufferedAttentionLayers = 0;
  let bufferedAttentionSkipped: string | undefined;
  if (heads !== undefined) {
    const buffered = rewriteBufferedAttention(bytes, heads);
    bytes = buffered.bytes;
    bufferedAttentionLayers = buffered.layers;
    bufferedAttentionSkipped = buffered.skipped;
  }
  if (int8MatMulNodes === 0 && bufferedAttentionLayers === 0)
    return bufferedAttentionSkipped === undefined ? asExported : { ...asExported, bufferedAttentionSkipped };
  return {
    source: bytes,
    int8MatMulNodes,
    bufferedAttentionLayers,
    ...(bufferedAttentionSkipped === undefined ? {} : { bufferedAttentionSkipped }),
  };
}

async function createSession(
  source: string | Uint8Array,
  provider: 'cpu' | 'cuda',
  threads: number | undefined,
): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    ...(threads !== undefined ? { intraOpNumThreads: threads } : {}),
  };
  return typeof source === 'string'
    ? ort.InferenceSession.create(source, options)
    : ort.InferenceSession.create(source, options);
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

/**
 * Opens `path` as an onnxruntime session on the requested device; a file onnxruntime rejects becomes
 * ModelLoadError naming it, and so does an explicit `cuda` that cannot be used.
 */
export async function openGraphSession(path: string, options: GraphSessionOptions = {}): Promise<GraphSession> {
  const requested = options.device ?? 'cpu';
  const scan = scanOnnxFile(path);
  let session: ort.InferenceSession | undefined;
  let device: 'cpu' | 'cuda' = 'cpu';
  let notice: string | undefined;
  if (requested !== 'cpu') {
    if (!cudaProviderInstalled()) {
      if (requested === 'cuda') throw new ModelLoadError(path, `device cuda: ${cudaInstallHint}`);
      notice = `device auto: running on the CPU (${cudaInstallHint})`;
    } else {
      try {
        session = await createSession(path, 'cuda', options.threads);
        device = 'cuda';
      } catch (error) {
        if (requested === 'cuda')
          throw new ModelLoadError(path, `device cuda: onnxruntime cannot use it: ${firstLine(error)}`, {
            cause: error,
          });
        notice = `device auto: running on the CPU (CUDA did not open a session: ${firstLine(error)})`;
      }
    }
  }
  let cpu: CpuGraphSource | undefined;
  if (session === undefined) {
    try {
      cpu = cpuGraphSource(path, scan, options);
      session = await createSession(cpu.source, 'cpu', options.threads);
    } catch (error) {
      throw new ModelLoadError(path, `onnxruntime cannot load it: ${firstLine(error)}`, { cause: error });
    }
  }
  const opened = session;
  return {
    path,
    device,
    ...(notice === undefined ? {} : { notice }),
    int8MatMulNodes: cpu?.int8MatMulNodes ?? 0,
    bufferedAttentionLayers: cpu?.bufferedAttentionLayers ?? 0,
    ...(cpu?.bufferedAttentionSkipped === undefined ? {} : { bufferedAttentionSkipped: cpu.bufferedAttentionSkipped }),
    operators: scan.operators,
    inputs: opened.inputMetadata.map(toPort),
    outputs: opened.outputMetadata.map(toPort),
    async run(feeds, outputs) {
      const converted: Record<string, ort.Tensor> = {};
      for (const [name, tensor] of Object.entries(feeds)) converted[name] = toOrtTensor(tensor);
      let fetches: Record<string, ort.Tensor | null> | undefined;
      if (outputs !== undefined) {
        fetches = {};
        // A feed and a preallocated output of one tensor must stay one onnxruntime tensor (one buffer).
        for (const [name, tensor] of Object.entries(outputs))
          fetches[name] =
            tensor === null ? null : tensor instanceof ort.Tensor ? withUint16Storage(tensor) : toOrtTensor(tensor);
      }
      const results = fetches === undefined ? await opened.run(converted) : await opened.run(converted, fetches);
      const out: Record<string, HostTensor> = {};
      for (const [name, value] of Object.entries(results)) out[name] = value as ort.Tensor;
      return out;
    },
    async dispose() {
      await opened.release();
    },
  };
}

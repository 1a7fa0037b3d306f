/**
 * @file The one place that imports onnxruntime-node: opens an ONNX graph as a session, exposes its input/output
 * metadata (names, element types, shapes with symbolic dims as strings) and runs it on plain tensors. Everything
 * else in the runtime talks to graphs through `GraphSession`.
 */
import * as ort from 'onnxruntime-node';
import { ModelLoadError } from '../errors/index.js';
import { float16Bits } from './float16.js';

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

export interface GraphSessionOptions {
  /** Threads for one operator (onnxruntime's intra-op pool); default: onnxruntime's choice. */
  readonly threads?: number;
}

/** An open ONNX graph. */
export interface GraphSession {
  readonly path: string;
  readonly inputs: readonly GraphPort[];
  readonly outputs: readonly GraphPort[];
  run(feeds: Readonly<Record<string, HostTensor>>): Promise<Record<string, HostTensor>>;
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
  if (storage.cpuData !== undefined && !(storage.cpuData instanceof Uint16Array)) storage.cpuData = float16Bits(storage.cpuData);
  return tensor;
}

function toOrtTensor(tensor: HostTensor): ort.Tensor {
  if (tensor instanceof ort.Tensor) return withUint16Storage(tensor);
  const data = tensor.type === 'float16' ? float16Bits(tensor.data) : tensor.data;
  return withUint16Storage(new ort.Tensor(tensor.type as TensorElementType, data as never, tensor.dims));
}

/** Opens `path` as an onnxruntime CPU session; a file onnxruntime rejects becomes ModelLoadError naming it. */
export async function openGraphSession(path: string, options: GraphSessionOptions = {}): Promise<GraphSession> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(path, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      ...(options.threads !== undefined ? { intraOpNumThreads: options.threads } : {}),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ModelLoadError(path, `onnxruntime cannot load it: ${message.split('\n')[0]}`, { cause: error });
  }
  return {
    path,
    inputs: session.inputMetadata.map(toPort),
    outputs: session.outputMetadata.map(toPort),
    async run(feeds) {
      const converted: Record<string, ort.Tensor> = {};
      for (const [name, tensor] of Object.entries(feeds)) converted[name] = toOrtTensor(tensor);
      const results = await session.run(converted);
      const out: Record<string, HostTensor> = {};
      for (const [name, value] of Object.entries(results)) out[name] = value as ort.Tensor;
      return out;
    },
    async dispose() {
      await session.release();
    },
  };
}

/**
 * @file The one place that imports onnxruntime-node: opens an ONNX graph as a session, exposes its input/output
 * metadata (names, element types, shapes with symbolic dims as strings) and runs it on plain tensors. Everything
 * else in the runtime talks to graphs through `GraphSession`.
 */
import * as ort from 'onnxruntime-node';
import { ModelLoadError } from '../errors/index.js';

/** Element types the runtime feeds or reads. */
export type TensorElementType = 'float32' | 'float16' | 'int64' | 'int32' | 'bool' | 'uint8' | 'int8';

/** Typed-array storage for each element type (float16 is stored as raw Uint16 bits). */
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

function toOrtTensor(tensor: HostTensor): ort.Tensor {
  if (tensor instanceof ort.Tensor) return tensor;
  return new ort.Tensor(tensor.type as TensorElementType, tensor.data as never, tensor.dims);
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

/**
 * @file KV-cache buffers with room to grow, for decoders whose attention is onnxruntime's GroupQueryAttention.
 * When a decode step's `present.*` output is preallocated as the very tensor fed as `past_key_values.*`,
 * GroupQueryAttention appends the new key and value rows in place (its shared-buffer mode) instead of concatenating
 * past and new rows into a fresh tensor every step; measured on the 256M-sized bench decoder, a step at a 2,048-token
 * context goes from 47 to 41 ms with identical logits. A buffer is `[1, kvHeads, capacity, headDim]` with the first
 * `length` rows valid. This file moves caches between the compact form (exactly `length` rows, what a prefill
 * produces and what a branch shares) and the buffer form, always by copying: a compact cache may be shared by
 * several contexts and is never written.
 */
import { float16Bits } from './float16.js';
import { createTensor, type HostTensor } from './onnx-session.js';

/** Rows a new buffer holds beyond what is needed now (then it grows by half). */
export const kvHeadroomRows = 128;

function copyRows(
  source: HostTensor,
  sourceRows: number,
  targetRows: number,
  length: number,
): { data: Float32Array | Uint16Array; dims: number[] } {
  const [batch, heads, , headDim] = source.dims as [number, number, number, number];
  const half = source.type === 'float16';
  const from = half ? float16Bits(source.data) : (source.data as Float32Array);
  const data = half
    ? new Uint16Array(batch * heads * targetRows * headDim)
    : new Float32Array(batch * heads * targetRows * headDim);
  for (let head = 0; head < batch * heads; head++) {
    const rows = from.subarray(head * sourceRows * headDim, (head * sourceRows + length) * headDim);
    data.set(rows, head * targetRows * headDim);
  }
  return { data, dims: [batch, heads, targetRows, headDim] };
}

/** The cache's first `length` rows in new buffers of `capacity` rows (capacity ≥ length). */
export function toKvBuffers(
  past: Readonly<Record<string, HostTensor>>,
  length: number,
  capacity: number,
): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  for (const [name, tensor] of Object.entries(past)) {
    const { data, dims } = copyRows(tensor, tensor.dims[2]!, capacity, length);
    out[name] = data instanceof Uint16Array ? createTensor('float16', data, dims) : createTensor('float32', data, dims);
  }
  return out;
}

/** The first `length` rows of buffer-form caches as compact tensors (for a prefill on top of them). */
export function compactKv(past: Readonly<Record<string, HostTensor>>, length: number): Record<string, HostTensor> {
  return toKvBuffers(past, length, length);
}

/** The capacity a buffer needs to take `needed` rows: what it has, or room for more. */
export function grownCapacity(current: number | undefined, needed: number): number {
  if (current !== undefined && current >= needed) return current;
  return Math.max(needed + kvHeadroomRows, Math.ceil((current ?? 0) * 1.5));
}

/** Writes `rows` (`[1, kvHeads, count, headDim]`) into `buffer` (`[1, kvHeads, capacity, headDim]`) from row `at`. */
export function writeRows(buffer: HostTensor, rows: HostTensor, at: number): void {
  const [batch, heads, capacity, headDim] = buffer.dims as [number, number, number, number];
  const count = rows.dims[2]!;
  if (rows.dims[1] !== heads || rows.dims[3] !== headDim || at + count > capacity)
    throw new RangeError(
      `KV rows [${rows.dims.join(', ')}] do not fit buffer [${buffer.dims.join(', ')}] at row ${at}`,
    );
  const half = buffer.type === 'float16';
  const target = half ? float16Bits(buffer.data) : (buffer.data as Float32Array);
  const source = half ? float16Bits(rows.data) : (rows.data as Float32Array);
  for (let head = 0; head < batch * heads; head++)
    target.set(source.subarray(head * count * headDim, (head + 1) * count * headDim), (head * capacity + at) * headDim);
}

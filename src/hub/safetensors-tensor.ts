/**
 * @file Reads one tensor of a remote `.safetensors` file without downloading the file: the format is an 8-byte
 * little-endian header length N, N bytes of JSON (`{name: {dtype, shape, data_offsets: [begin, end]}, …}`, offsets
 * relative to the byte after the header), then the tensors' bytes. One range request reads the first 64 KiB (the
 * length and, for real checkpoints, the whole header; a longer header costs one more request), a second reads the
 * tensor's bytes. What can be checked is checked: the header length against the file size, the JSON, the entry's
 * dtype, that its shape is what the caller expects, that `end - begin` equals elements × element size and that the
 * range lies inside the file. The file's sha256 covers the whole file, so the bytes themselves cannot be verified.
 */
import { createHash } from 'node:crypto';
import { DownloadError } from '../errors/index.js';

/** Reads inclusive byte range `start..end`; returns the bytes and the file's total size. */
export type RangeReader = (
  start: number,
  end: number,
) => Promise<{ readonly bytes: Uint8Array; readonly fileSize: number }>;

export interface SafetensorsTensor {
  /** The header key the tensor was found under (e.g. `model.image_newline`). */
  readonly name: string;
  readonly dtype: 'F32' | 'F16' | 'BF16';
  readonly shape: readonly number[];
  /** Absolute byte range of the tensor in the file, `[start, end)`. */
  readonly byteRange: readonly [number, number];
  /** sha256 of the JSON header bytes, recorded so a later pull can tell whether the file changed. */
  readonly headerSha256: string;
  readonly fileSize: number;
  readonly values: Float32Array;
}

const firstReadBytes = 64 * 1024;
const maximumHeaderBytes = 100 * 1024 * 1024;
const elementBytes = { F32: 4, F16: 2, BF16: 2 } as const;

function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

function decode(bytes: Uint8Array, dtype: SafetensorsTensor['dtype']): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = bytes.byteLength / elementBytes[dtype];
  const out = new Float32Array(count);
  const scratch = new DataView(new ArrayBuffer(4));
  for (let index = 0; index < count; index++) {
    if (dtype === 'F32') out[index] = view.getFloat32(index * 4, true);
    else if (dtype === 'F16') out[index] = halfToFloat(view.getUint16(index * 2, true));
    else {
      scratch.setUint32(0, view.getUint16(index * 2, true) << 16);
      out[index] = scratch.getFloat32(0);
    }
  }
  return out;
}

/**
 * Finds the first header key that `matches` (in header order) and reads that tensor; `expectShape` is checked
 * against the header's shape. Undefined when the header has no such tensor; DownloadError naming `where` for any
 * inconsistency.
 */
export async function readSafetensorsTensor(
  read: RangeReader,
  where: string,
  matches: (name: string) => boolean,
  expectShape: readonly number[],
): Promise<SafetensorsTensor | undefined> {
  const first = await read(0, firstReadBytes - 1);
  const fileSize = first.fileSize;
  if (first.bytes.byteLength < 8) throw new DownloadError(where, 'shorter than the 8-byte safetensors header length');
  const length = new DataView(first.bytes.buffer, first.bytes.byteOffset, 8).getBigUint64(0, true);
  if (length < 2n || length > BigInt(Math.min(maximumHeaderBytes, fileSize - 8))) {
    throw new DownloadError(where, `safetensors header length ${length} does not fit a ${fileSize}-byte file`);
  }
  const headerLength = Number(length);
  let header = first.bytes.subarray(8, 8 + headerLength);
  if (header.byteLength < headerLength) {
    const rest = await read(8 + header.byteLength, 8 + headerLength - 1);
    const joined = new Uint8Array(headerLength);
    joined.set(header, 0);
    joined.set(rest.bytes, header.byteLength);
    header = joined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(header));
  } catch (error) {
    throw new DownloadError(where, `the safetensors header is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new DownloadError(where, 'the safetensors header is not a JSON object');
  const name = Object.keys(parsed).find((key) => key !== '__metadata__' && matches(key));
  if (name === undefined) return undefined;
  const entry = (parsed as Record<string, unknown>)[name] as {
    dtype?: unknown;
    shape?: unknown;
    data_offsets?: unknown;
  };
  const dtype = entry?.dtype;
  if (dtype !== 'F32' && dtype !== 'F16' && dtype !== 'BF16')
    throw new DownloadError(where, `${name} has dtype ${JSON.stringify(dtype)} (expected F32, F16 or BF16)`);
  const shape = entry.shape;
  if (!Array.isArray(shape) || !shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0))
    throw new DownloadError(where, `${name} has an invalid shape`);
  if (shape.length !== expectShape.length || shape.some((dim, index) => dim !== expectShape[index])) {
    throw new DownloadError(where, `${name} has shape [${shape.join(', ')}], expected [${expectShape.join(', ')}]`);
  }
  const offsets = entry.data_offsets;
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((value) => Number.isSafeInteger(value) && value >= 0)
  ) {
    throw new DownloadError(where, `${name} has invalid data_offsets`);
  }
  const [begin, end] = offsets as [number, number];
  const elements = shape.reduce((product: number, dim: number) => product * dim, 1);
  if (end - begin !== elements * elementBytes[dtype]) {
    throw new DownloadError(
      where,
      `${name}: data_offsets span ${end - begin} bytes, its dtype and shape need ${elements * elementBytes[dtype]}`,
    );
  }
  const start = 8 + headerLength + begin;
  const stop = 8 + headerLength + end;
  if (stop > fileSize)
    throw new DownloadError(where, `${name}: bytes ${start}-${stop} lie past the end of the ${fileSize}-byte file`);
  const data = elements === 0 ? new Uint8Array(0) : (await read(start, stop - 1)).bytes;
  return {
    name,
    dtype,
    shape: [...shape],
    byteRange: [start, stop],
    headerSha256: createHash('sha256').update(header).digest('hex'),
    fileSize,
    values: decode(data, dtype),
  };
}

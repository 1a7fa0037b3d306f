/**
 * @file Reader and writer for NumPy `.npy` files (format 1.0/2.0, little-endian, C order), limited to the dtypes the
 * reference vectors use: float32 (`<f4`), float64 (`<f8`), int64 (`<i8`), int32 (`<i4`), uint8 (`|u1`), bool.
 * Fortran-order arrays are reordered into C order on reading.
 */

export type NpyArray =
  | { readonly dtype: 'float32'; readonly shape: readonly number[]; readonly data: Float32Array }
  | { readonly dtype: 'float64'; readonly shape: readonly number[]; readonly data: Float64Array }
  | { readonly dtype: 'int64'; readonly shape: readonly number[]; readonly data: BigInt64Array }
  | { readonly dtype: 'int32'; readonly shape: readonly number[]; readonly data: Int32Array }
  | { readonly dtype: 'uint8' | 'bool'; readonly shape: readonly number[]; readonly data: Uint8Array };

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const descrToDtype: Record<string, NpyArray['dtype']> = {
  '<f4': 'float32',
  '<f8': 'float64',
  '<i8': 'int64',
  '<i4': 'int32',
  '|u1': 'uint8',
  '|b1': 'bool',
};

/** Parses an .npy buffer; `name` appears in error messages. */
export function parseNpy(bytes: Uint8Array, name = 'array.npy'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new Error(`${name}: not a .npy file`);
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw new Error(`${name}: bad .npy header`);
  const dtype = descrToDtype[descr];
  if (dtype === undefined) throw new Error(`${name}: unsupported dtype ${descr}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number.parseInt(s, 10));
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = headerStart + headerLength;
  // Copy so the typed array is aligned whatever the header length was.
  const body = Uint8Array.prototype.slice.call(bytes, offset);
  const expectBytes = (size: number): ArrayBuffer => {
    if (body.byteLength < count * size)
      throw new Error(`${name}: truncated data (${body.byteLength} of ${count * size} bytes)`);
    return body.buffer;
  };
  const array = typedArray(dtype, shape, count, expectBytes);
  return fortran === 'True' ? fortranToC(array) : array;
}

function typedArray(
  dtype: NpyArray['dtype'],
  shape: number[],
  count: number,
  expectBytes: (size: number) => ArrayBuffer,
): NpyArray {
  switch (dtype) {
    case 'float32':
      return { dtype, shape, data: new Float32Array(expectBytes(4), 0, count) };
    case 'float64':
      return { dtype, shape, data: new Float64Array(expectBytes(8), 0, count) };
    case 'int64':
      return { dtype, shape, data: new BigInt64Array(expectBytes(8), 0, count) };
    case 'int32':
      return { dtype, shape, data: new Int32Array(expectBytes(4), 0, count) };
    case 'uint8':
    case 'bool':
      return { dtype, shape, data: new Uint8Array(expectBytes(1), 0, count) };
  }
}

/** Reorders a Fortran-order (column-major) array into C order with the same shape. */
function fortranToC(array: NpyArray): NpyArray {
  const { shape } = array;
  const source = array.data;
  const target = new (source.constructor as new (length: number) => typeof source)(source.length);
  const rank = shape.length;
  // Fortran strides: axis k advances by the product of the sizes of the axes before it.
  const strides: number[] = [];
  let stride = 1;
  for (let k = 0; k < rank; k++) {
    strides.push(stride);
    stride *= shape[k]!;
  }
  const coordinates = new Array<number>(rank).fill(0);
  let from = 0;
  for (let to = 0; to < source.length; to++) {
    (target as { [i: number]: unknown })[to] = source[from];
    for (let k = rank - 1; k >= 0; k--) {
      coordinates[k]! += 1;
      from += strides[k]!;
      if (coordinates[k]! < shape[k]!) break;
      from -= coordinates[k]! * strides[k]!;
      coordinates[k] = 0;
    }
  }
  return { ...array, data: target } as NpyArray;
}

/** Numbers of any npy array as a plain Float64Array (int64 converted exactly for |v| < 2^53). */
export function npyToNumbers(array: NpyArray): Float64Array {
  const out = new Float64Array(array.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Number(array.data[i]!);
  return out;
}

/** Serialises a float32 or int64 array as .npy version 1.0. */
export function encodeNpy(array: NpyArray): Uint8Array {
  const descr = Object.entries(descrToDtype).find(([, d]) => d === array.dtype)?.[0];
  if (descr === undefined) throw new Error(`cannot encode dtype ${array.dtype}`);
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = new Uint8Array(10 + header.length);
  head.set(MAGIC, 0);
  head[6] = 1;
  head[7] = 0;
  new DataView(head.buffer).setUint16(8, header.length, true);
  head.set(new TextEncoder().encode(header), 10);
  const body = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

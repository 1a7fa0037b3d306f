/**
 * @file IEEE 754 half-precision conversion for graphs whose inputs or outputs are float16 (fp16 / q4f16 exports).
 * onnxruntime-common stores float16 tensor data as raw Uint16 bits where the JavaScript engine has no
 * `Float16Array` (Node 20, 22) and as a `Float16Array` of decoded numbers where it has one (Node 24): every reader
 * goes through `float16Bits`, which gives the bit patterns whichever representation it is handed.
 */

const floatView = new Float32Array(1);
const bitsView = new Uint32Array(floatView.buffer);

/** True for a `Float16Array` (Node 24 and later); false where the engine has none. */
export function isFloat16Array(data: unknown): data is ArrayBufferView & { readonly length: number } {
  const float16Constructor = (globalThis as { Float16Array?: abstract new (...args: never[]) => unknown }).Float16Array;
  return float16Constructor !== undefined && data instanceof float16Constructor;
}

/**
 * The bit patterns of float16 tensor data: a Uint16Array as is, a Float16Array as a Uint16Array view over the same
 * bytes (no copy, no rounding). Anything else is a programming error.
 */
export function float16Bits(data: unknown): Uint16Array {
  if (data instanceof Uint16Array) return data;
  if (isFloat16Array(data)) return new Uint16Array(data.buffer, data.byteOffset, data.length);
  throw new TypeError(
    `float16 tensor data must be a Uint16Array or a Float16Array, got ${Object.prototype.toString.call(data)}`,
  );
}

/** float16 tensor data (either representation) as float32 values. */
export function float16DataToFloat32(data: unknown): Float32Array {
  return float16ToFloat32(float16Bits(data));
}

/** Converts float16 bits to float32 values. */
export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let index = 0; index < bits.length; index++) {
    const half = bits[index]!;
    const sign = half & 0x8000 ? -1 : 1;
    const exponent = (half >> 10) & 0x1f;
    const mantissa = half & 0x3ff;
    if (exponent === 0) out[index] = sign * mantissa * 2 ** -24;
    else if (exponent === 31) out[index] = mantissa === 0 ? sign * Infinity : NaN;
    else out[index] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return out;
}

/** Converts float32 values to float16 bits (round to nearest even). */
export function float32ToFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let index = 0; index < values.length; index++) {
    floatView[0] = values[index]!;
    const x = bitsView[0]!;
    const sign = (x >>> 16) & 0x8000;
    const exponent = (x >>> 23) & 0xff;
    let mantissa = x & 0x7fffff;
    if (exponent === 0xff) {
      out[index] = sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
      continue;
    }
    const halfExponent = exponent - 127 + 15;
    if (halfExponent >= 31) {
      out[index] = sign | 0x7c00;
      continue;
    }
    if (halfExponent <= 0) {
      if (halfExponent < -10) {
        out[index] = sign;
        continue;
      }
      mantissa |= 0x800000;
      const shift = 14 - halfExponent;
      let half = mantissa >> shift;
      const remainder = mantissa & ((1 << shift) - 1);
      const halfway = 1 << (shift - 1);
      if (remainder > halfway || (remainder === halfway && (half & 1) === 1)) half += 1;
      out[index] = sign | half;
      continue;
    }
    let half = (halfExponent << 10) | (mantissa >> 13);
    const remainder = mantissa & 0x1fff;
    if (remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1)) half += 1;
    out[index] = sign | half;
  }
  return out;
}

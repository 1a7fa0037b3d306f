/**
 * @file Bilinear resampling of every frame of a channels-last `[T, h, w, D]` volume, with PyTorch's
 * `F.interpolate(mode='bilinear', align_corners=False)` geometry and no antialiasing: output cell `o` samples the
 * input at `max(0, (o + 0.5) * in/out - 0.5)`, the right/bottom neighbour is clamped to the last cell. This is
 * LLaVA-OneVision's per-frame video pooling.
 */
import type { VolumeShape } from './window-average-pool.js';

interface AxisTaps {
  readonly low: Int32Array;
  readonly high: Int32Array;
  readonly lowWeight: Float64Array;
  readonly highWeight: Float64Array;
}

/** Source taps and weights along one axis (half-pixel centres, align_corners false). */
export function bilinearTaps(inputLength: number, outputLength: number): AxisTaps {
  if (!Number.isInteger(outputLength) || outputLength < 1)
    throw new RangeError(`output length must be a positive integer, got ${outputLength}`);
  const low = new Int32Array(outputLength);
  const high = new Int32Array(outputLength);
  const lowWeight = new Float64Array(outputLength);
  const highWeight = new Float64Array(outputLength);
  const scale = Math.fround(inputLength / outputLength);
  for (let o = 0; o < outputLength; o++) {
    const position = Math.max(0, Math.fround(Math.fround(scale * (o + 0.5)) - 0.5));
    const index = Math.min(Math.floor(position), inputLength - 1);
    const fraction = position - index;
    low[o] = index;
    high[o] = index < inputLength - 1 ? index + 1 : index;
    highWeight[o] = fraction;
    lowWeight[o] = 1 - fraction;
  }
  return { low, high, lowWeight, highWeight };
}

/** Bilinear resampling `[T,h,w,D] -> [T,outH,outW,D]`. */
export function bilinearResample(
  source: Float32Array,
  shape: VolumeShape,
  output: readonly [outH: number, outW: number],
  target?: Float32Array,
): Float32Array {
  const [T, h, w, D] = shape;
  if (source.length !== T * h * w * D)
    throw new RangeError(`resample input needs ${T * h * w * D} values, got ${source.length}`);
  const [outH, outW] = output;
  const rows = bilinearTaps(h, outH);
  const columns = bilinearTaps(w, outW);
  const outLength = T * outH * outW * D;
  const out = target ?? new Float32Array(outLength);
  if (out.length !== outLength) throw new RangeError(`resample target needs ${outLength} values, got ${out.length}`);
  const rowStride = w * D;
  let o = 0;
  for (let t = 0; t < T; t++) {
    const frame = t * h * rowStride;
    for (let oy = 0; oy < outH; oy++) {
      const top = frame + rows.low[oy]! * rowStride;
      const bottom = frame + rows.high[oy]! * rowStride;
      const wy0 = rows.lowWeight[oy]!;
      const wy1 = rows.highWeight[oy]!;
      for (let ox = 0; ox < outW; ox++) {
        const left = columns.low[ox]! * D;
        const right = columns.high[ox]! * D;
        const wx0 = columns.lowWeight[ox]!;
        const wx1 = columns.highWeight[ox]!;
        const a = top + left;
        const b = top + right;
        const c = bottom + left;
        const e = bottom + right;
        for (let d = 0; d < D; d++) {
          out[o + d] =
            wy0 * (wx0 * source[a + d]! + wx1 * source[b + d]!) + wy1 * (wx0 * source[c + d]! + wx1 * source[e + d]!);
        }
        o += D;
      }
    }
  }
  return out;
}

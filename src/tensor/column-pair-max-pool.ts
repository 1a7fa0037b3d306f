/**
 * @file Max over horizontal column pairs `(2j, 2j+1)` of selected frames of a `[T, h, w, D]` volume, giving
 * `[frames, h, ceil(w/2), D]`. For even widths this is SlowFast-LLaVA's `MaxPool1d(2, 2)` over the flattened tokens;
 * an odd last column is kept alone (ceil mode), where the 1-D original would pair across rows.
 */
import type { VolumeShape } from './window-average-pool.js';

/** Pools frames `frames` (positions in `source`, any order, repeats allowed) into a new array. */
export function columnPairMaxPool(
  source: Float32Array,
  shape: VolumeShape,
  frames: readonly number[],
  target?: Float32Array,
): Float32Array {
  const [T, h, w, D] = shape;
  if (source.length !== T * h * w * D)
    throw new RangeError(`max-pool input needs ${T * h * w * D} values, got ${source.length}`);
  const outW = Math.ceil(w / 2);
  const outLength = frames.length * h * outW * D;
  const out = target ?? new Float32Array(outLength);
  if (out.length !== outLength) throw new RangeError(`max-pool target needs ${outLength} values, got ${out.length}`);
  let o = 0;
  for (const t of frames) {
    if (!Number.isInteger(t) || t < 0 || t >= T) throw new RangeError(`frame ${t} is outside 0..${T - 1}`);
    for (let y = 0; y < h; y++) {
      const row = (t * h + y) * w * D;
      for (let j = 0; j < outW; j++) {
        const a = row + 2 * j * D;
        if (2 * j + 1 < w) {
          const b = a + D;
          for (let d = 0; d < D; d++) {
            const left = source[a + d]!;
            const right = source[b + d]!;
            // torch's max-pool propagates NaN: a NaN on either side wins.
            out[o + d] = Number.isNaN(left) || !(right > left || Number.isNaN(right)) ? left : right;
          }
        } else {
          out.set(source.subarray(a, a + D), o);
        }
        o += D;
      }
    }
  }
  return out;
}

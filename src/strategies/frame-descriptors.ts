/**
 * @file Per-frame descriptors for frame selection (B-VLLM's selection weights, the `select-frames` pre-encoder stage):
 * unit-length rows `[T, D]` whose cosine separates scenes. Two kinds: the L2-normalised mean token of an encoded frame
 * (any encoder; the stand-in for B-VLLM's CLS token) and a colour histogram of the decoded pixels (no encoder needed,
 * so frames can be selected before the vision tower runs). Descriptors are NOT centred per video: centring
 * amplifies the small changes inside one continuous shot until they look like scene cuts.
 */
import type { FeatureGrid } from '../core/feature-grid.js';
import type { RgbImage } from '../core/frame.js';
import { StrategyInputError } from '../errors/index.js';

/** Unit-length descriptors of T frames, row-major `[T, D]`. */
export interface UnitDescriptors {
  readonly T: number;
  readonly D: number;
  readonly data: Float32Array;
  /** What the rows are (for metadata): `mean-token` or `colour-histogram`. */
  readonly kind: DescriptorKind;
}

export type DescriptorKind = 'mean-token' | 'colour-histogram';

/** Default bins per colour channel of the joint RGB histogram (4 x 4 x 4 = 64 bins). */
export const defaultHistogramBins = 4;

/** Scales every row of `data` (`rows x dim`) to unit L2 norm in place; an all-zero row stays zero. */
function normaliseRows(data: Float32Array, rows: number, dim: number): void {
  for (let r = 0; r < rows; r++) {
    const base = r * dim;
    let sum = 0;
    for (let d = 0; d < dim; d++) sum += data[base + d]! * data[base + d]!;
    if (sum === 0) continue;
    const scale = 1 / Math.sqrt(sum);
    for (let d = 0; d < dim; d++) data[base + d] = data[base + d]! * scale;
  }
}

/** The mean token of every frame of `grid`, scaled to unit length. */
export function unitMeanTokenDescriptors(grid: FeatureGrid): UnitDescriptors {
  const { T, h, w, D } = grid;
  const P = h * w;
  const out = new Float32Array(T * D);
  const accumulator = new Float64Array(D);
  for (let t = 0; t < T; t++) {
    accumulator.fill(0);
    const base = t * P * D;
    for (let p = 0; p < P; p++) {
      const row = base + p * D;
      for (let d = 0; d < D; d++) accumulator[d]! += grid.data[row + d]!;
    }
    for (let d = 0; d < D; d++) out[t * D + d] = accumulator[d]! / P;
  }
  normaliseRows(out, T, D);
  return { T, D, data: out, kind: 'mean-token' };
}

/**
 * Joint RGB histogram of every image (`bins` per channel, `bins^3` cells), as Hellinger vectors: the square root of
 * the cell frequencies, which has unit length, so the cosine of two rows is the Bhattacharyya coefficient of the two
 * colour distributions (1 for identical colours, 0 for disjoint ones).
 */
export function colourHistogramDescriptors(
  images: readonly RgbImage[],
  bins: number = defaultHistogramBins,
): UnitDescriptors {
  if (!Number.isInteger(bins) || bins < 1 || bins > 16)
    throw new StrategyInputError('frame descriptors', `histogram bins must be an integer from 1 to 16, got ${bins}`);
  const D = bins * bins * bins;
  const T = images.length;
  const out = new Float32Array(T * D);
  const counts = new Float64Array(D);
  images.forEach((image, t) => {
    counts.fill(0);
    const pixels = image.width * image.height;
    const data = image.data;
    for (let i = 0; i < pixels; i++) {
      const r = (data[3 * i]! * bins) >> 8;
      const g = (data[3 * i + 1]! * bins) >> 8;
      const b = (data[3 * i + 2]! * bins) >> 8;
      counts[(r * bins + g) * bins + b]! += 1;
    }
    if (pixels === 0) return;
    for (let d = 0; d < D; d++) out[t * D + d] = Math.sqrt(counts[d]! / pixels);
  });
  return { T, D, data: out, kind: 'colour-histogram' };
}

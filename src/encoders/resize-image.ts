/**
 * @file Area resampling of an interleaved RGB image (exact fractional pixel coverage on both axes), used by the
 * `pixels` encoder when a frame or composed image is not already at its input size. Shrinking averages the covered
 * source pixels (like torch's `mode='area'`); enlarging repeats them with blended edges.
 */
import type { RgbImage } from '../core/frame.js';

interface AxisWeights {
  /** For each output position: first source index and the weights of consecutive source indices (sum 1). */
  readonly starts: Int32Array;
  readonly weights: Float32Array[];
}

function axisWeights(source: number, target: number): AxisWeights {
  const scale = source / target;
  const starts = new Int32Array(target);
  const weights: Float32Array[] = [];
  for (let o = 0; o < target; o++) {
    const from = o * scale;
    const to = (o + 1) * scale;
    const first = Math.floor(from);
    const last = Math.min(source - 1, Math.ceil(to) - 1);
    const row = new Float32Array(last - first + 1);
    for (let i = first; i <= last; i++) row[i - first] = (Math.min(to, i + 1) - Math.max(from, i)) / scale;
    starts[o] = first;
    weights.push(row);
  }
  return { starts, weights };
}

/** Resamples `image` to `width`×`height` (aspect not preserved: the caller chose the size). */
export function resizeImageArea(image: RgbImage, width: number, height: number): RgbImage {
  if (image.width === width && image.height === height) return image;
  const horizontal = axisWeights(image.width, width);
  const vertical = axisWeights(image.height, height);
  // Horizontal pass into a float buffer [image.height, width, 3], then vertical pass.
  const rows = new Float32Array(image.height * width * 3);
  for (let y = 0; y < image.height; y++) {
    const sourceRow = y * image.width * 3;
    for (let x = 0; x < width; x++) {
      const start = horizontal.starts[x]!;
      const weights = horizontal.weights[x]!;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < weights.length; k++) {
        const at = sourceRow + (start + k) * 3;
        const weight = weights[k]!;
        r += image.data[at]! * weight;
        g += image.data[at + 1]! * weight;
        b += image.data[at + 2]! * weight;
      }
      const out = (y * width + x) * 3;
      rows[out] = r;
      rows[out + 1] = g;
      rows[out + 2] = b;
    }
  }
  const data = new Uint8Array(width * height * 3);
  const rowLength = width * 3;
  for (let y = 0; y < height; y++) {
    const start = vertical.starts[y]!;
    const weights = vertical.weights[y]!;
    const out = y * rowLength;
    for (let i = 0; i < rowLength; i++) {
      let value = 0;
      for (let k = 0; k < weights.length; k++) value += rows[(start + k) * rowLength + i]! * weights[k]!;
      data[out + i] = Math.min(255, Math.max(0, Math.round(value)));
    }
  }
  return { width, height, data };
}

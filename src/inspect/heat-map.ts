/**
 * @file Heat maps of token grids: the L2 norm of every token, mapped through a perceptual colour scale (viridis
 * control points, linear in between) and, when a frame is given, blended over a grey version of it so the hot
 * tokens can be located in the picture. Values are normalised per map (min → dark, max → bright).
 */
import type { RgbImage } from '../core/frame.js';
import { resizeImageArea } from '../encoders/resize-image.js';

/** Viridis at 0, 1/8, ..., 1 (matplotlib's `viridis`). */
const viridis: readonly (readonly [number, number, number])[] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** Colour of `value` in 0..1 on the viridis scale (clamped). */
export function heatColor(value: number): [number, number, number] {
  const clamped = Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
  const position = clamped * (viridis.length - 1);
  const low = Math.min(viridis.length - 2, Math.floor(position));
  const fraction = position - low;
  const a = viridis[low]!;
  const b = viridis[low + 1]!;
  return [0, 1, 2].map((c) => Math.round(a[c]! + (b[c]! - a[c]!) * fraction)) as [number, number, number];
}

/** L2 norm of each of the `count` tokens of `dim` values in `tokens`. */
export function tokenNorms(tokens: Float32Array, dim: number, count = Math.floor(tokens.length / dim)): Float32Array {
  if (dim < 1 || count * dim > tokens.length)
    throw new RangeError(
      `tokenNorms: ${count} tokens of ${dim} values need ${count * dim} values, got ${tokens.length}`,
    );
  const norms = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let sum = 0;
    for (let d = i * dim, end = d + dim; d < end; d++) sum += tokens[d]! * tokens[d]!;
    norms[i] = Math.sqrt(sum);
  }
  return norms;
}

/** Values scaled to 0..1 by their own minimum and maximum (all 0.5 when they are constant). */
export function normalizeValues(values: ArrayLike<number>): Float32Array {
  let minimum = Number.POSITIVE_INFINITY;
  let maximum = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!Number.isFinite(value)) continue;
    if (value < minimum) minimum = value;
    if (value > maximum) maximum = value;
  }
  const out = new Float32Array(values.length);
  const range = maximum - minimum;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    out[i] = !Number.isFinite(value) ? 0 : range > 0 ? (value - minimum) / range : 0.5;
  }
  return out;
}

export interface HeatMapOptions {
  /** Output size; default `columns*cell` × `rows*cell`, or the frame's size when a frame is given. */
  readonly width?: number;
  readonly height?: number;
  /** Pixels per grid cell when no size and no frame is given (default 12). */
  readonly cell?: number;
  /** Drawn under the colours (as grey) with weight `1 - opacity`. */
  readonly frame?: RgbImage;
  /** Weight of the colours over the frame (default 0.6). */
  readonly opacity?: number;
  /** Cells to dim (e.g. tokens a strategy dropped): `dimmed[i]` true dims cell i. */
  readonly dimmed?: readonly boolean[];
}

/**
 * An image of `values` (already 0..1, `rows*columns`, raster order) on the viridis scale, nearest-neighbour upscaled,
 * optionally blended over a frame.
 */
export function heatMapImage(
  values: ArrayLike<number>,
  rows: number,
  columns: number,
  options: HeatMapOptions = {},
): RgbImage {
  if (!(rows >= 1 && columns >= 1) || values.length !== rows * columns) {
    throw new RangeError(`heatMapImage: ${values.length} values do not form a ${rows}x${columns} grid`);
  }
  const cell = options.cell ?? 12;
  const width = options.width ?? options.frame?.width ?? columns * cell;
  const height = options.height ?? options.frame?.height ?? rows * cell;
  const base =
    options.frame !== undefined && (options.frame.width !== width || options.frame.height !== height)
      ? resizeImageArea(options.frame, width, height)
      : options.frame;
  const opacity = base === undefined ? 1 : (options.opacity ?? 0.6);
  const colors = Array.from({ length: values.length }, (_, i) => heatColor(values[i]!));
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const gy = Math.min(rows - 1, Math.floor((y * rows) / height));
    for (let x = 0; x < width; x++) {
      const gx = Math.min(columns - 1, Math.floor((x * columns) / width));
      const cellIndex = gy * columns + gx;
      const color = colors[cellIndex]!;
      const at = (y * width + x) * 3;
      const dim = options.dimmed?.[cellIndex] === true ? 0.25 : 1;
      let grey = 0;
      if (base !== undefined) grey = 0.299 * base.data[at]! + 0.587 * base.data[at + 1]! + 0.114 * base.data[at + 2]!;
      for (let c = 0; c < 3; c++) data[at + c] = Math.round((opacity * color[c]! + (1 - opacity) * grey) * dim);
    }
  }
  return { width, height, data };
}

/**
 * @file Average pooling of a channels-last `[T, h, w, D]` Float32Array over arbitrary per-axis windows, in one pass:
 * every output token sums its window's input rows (contiguous `D`-vectors) into a float64 accumulator and scales
 * once. No transposed copies; input rows are read in memory order within each window. Adaptive pooling over 1, 2
 * or 3 axes, PLLaVA's 3-D pool, the SHI-Labs stride pools and SceneTilling memory all reduce to this kernel.
 */
import type { PoolWindows } from './pooling-windows.js';

/** Shape of a channels-last feature volume `[T, h, w, D]`. */
export type VolumeShape = readonly [T: number, h: number, w: number, D: number];

/** Windows for the three pooled axes (time, rows, columns). */
export interface VolumeWindows {
  readonly time: PoolWindows;
  readonly rows: PoolWindows;
  readonly columns: PoolWindows;
}

function checkWindows(name: string, windows: PoolWindows, length: number): void {
  for (let i = 0; i < windows.count; i++) {
    const s = windows.start[i]!;
    const e = windows.end[i]!;
    if (s < 0 || e > length || e <= s) throw new RangeError(`${name} window ${i} [${s}, ${e}) does not fit an axis of ${length}`);
  }
}

/**
 * Averages `source` (shape `[T,h,w,D]`) over the given windows; the result has shape
 * `[time.count, rows.count, columns.count, D]`. `target`, when given, must have exactly that length.
 */
export function averagePoolWindows(
  source: Float32Array,
  shape: VolumeShape,
  windows: VolumeWindows,
  target?: Float32Array,
): Float32Array {
  const [T, h, w, D] = shape;
  if (source.length !== T * h * w * D) throw new RangeError(`pool input needs ${T * h * w * D} values, got ${source.length}`);
  checkWindows('time', windows.time, T);
  checkWindows('row', windows.rows, h);
  checkWindows('column', windows.columns, w);
  const outT = windows.time.count;
  const outH = windows.rows.count;
  const outW = windows.columns.count;
  const outLength = outT * outH * outW * D;
  const out = target ?? new Float32Array(outLength);
  if (out.length !== outLength) throw new RangeError(`pool target needs ${outLength} values, got ${out.length}`);
  const accumulator = new Float64Array(D);
  const rowStride = w * D;
  const frameStride = h * rowStride;
  let o = 0;
  for (let ot = 0; ot < outT; ot++) {
    const t0 = windows.time.start[ot]!;
    const t1 = windows.time.end[ot]!;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = windows.rows.start[oy]!;
      const y1 = windows.rows.end[oy]!;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = windows.columns.start[ox]!;
        const x1 = windows.columns.end[ox]!;
        const count = (t1 - t0) * (y1 - y0) * (x1 - x0);
        if (count === 1) {
          const base = t0 * frameStride + y0 * rowStride + x0 * D;
          out.set(source.subarray(base, base + D), o);
          o += D;
          continue;
        }
        let first = true;
        for (let t = t0; t < t1; t++) {
          for (let y = y0; y < y1; y++) {
            let base = t * frameStride + y * rowStride + x0 * D;
            for (let x = x0; x < x1; x++) {
              if (first) {
                for (let d = 0; d < D; d++) accumulator[d] = source[base + d]!;
                first = false;
              } else {
                for (let d = 0; d < D; d++) accumulator[d]! += source[base + d]!;
              }
              base += D;
            }
          }
        }
        const scale = 1 / count;
        for (let d = 0; d < D; d++) out[o + d] = accumulator[d]! * scale;
        o += D;
      }
    }
  }
  return out;
}

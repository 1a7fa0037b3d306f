/**
 * @file Average pooling of a channels-last `[T, h, w, D]` Float32Array over arbitrary per-axis windows, in one pass:
 * every output token sums its window's input rows (contiguous `D`-vectors, four at a time, in float64) and scales
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
    if (s < 0 || e > length || e <= s)
      throw new RangeError(`${name} window ${i} [${s}, ${e}) does not fit an axis of ${length}`);
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
  if (source.length !== T * h * w * D)
    throw new RangeError(`pool input needs ${T * h * w * D} values, got ${source.length}`);
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
  // Offsets of the input rows of the current window, gathered once per output token.
  let maxWindow = 1;
  for (let i = 0; i < outT; i++) maxWindow = Math.max(maxWindow, windows.time.end[i]! - windows.time.start[i]!);
  let maxRows = 1;
  for (let i = 0; i < outH; i++) maxRows = Math.max(maxRows, windows.rows.end[i]! - windows.rows.start[i]!);
  let maxColumns = 1;
  for (let i = 0; i < outW; i++) maxColumns = Math.max(maxColumns, windows.columns.end[i]! - windows.columns.start[i]!);
  const offsets = new Int32Array(maxWindow * maxRows * maxColumns);
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
        let count = 0;
        for (let t = t0; t < t1; t++) {
          for (let y = y0; y < y1; y++) {
            const base = t * frameStride + y * rowStride;
            for (let x = x0; x < x1; x++) offsets[count++] = base + x * D;
          }
        }
        sumRows(source, offsets, count, D, accumulator, out, o);
        o += D;
      }
    }
  }
  return out;
}

/**
 * Writes the mean of the `count` input rows at `offsets` to `out[o..o+D)`. Rows are consumed four at a time so each
 * accumulator update reads four inputs (this keeps the kernel close to memory speed); windows of up to four rows
 * write the output directly.
 */
function sumRows(
  source: Float32Array,
  offsets: Int32Array,
  count: number,
  D: number,
  accumulator: Float64Array,
  out: Float32Array,
  o: number,
): void {
  if (count === 1) {
    const a = offsets[0]!;
    out.set(source.subarray(a, a + D), o);
    return;
  }
  if (count === 2) {
    const a = offsets[0]!;
    const b = offsets[1]!;
    for (let d = 0; d < D; d++) out[o + d] = (source[a + d]! + source[b + d]!) * 0.5;
    return;
  }
  if (count === 4) {
    const a = offsets[0]!;
    const b = offsets[1]!;
    const c = offsets[2]!;
    const e = offsets[3]!;
    for (let d = 0; d < D; d++) out[o + d] = (source[a + d]! + source[b + d]! + source[c + d]! + source[e + d]!) * 0.25;
    return;
  }
  if (count === 3) {
    const a = offsets[0]!;
    const b = offsets[1]!;
    const c = offsets[2]!;
    for (let d = 0; d < D; d++) out[o + d] = (source[a + d]! + source[b + d]! + source[c + d]!) / 3;
    return;
  }
  // count > 4: the first four rows initialise the accumulator, further groups of four add to it, and the last
  // 0..3 rows are added while scaling into the output (two to four passes over D instead of one per row).
  const scale = 1 / count;
  {
    const a = offsets[0]!;
    const b = offsets[1]!;
    const c = offsets[2]!;
    const e = offsets[3]!;
    for (let d = 0; d < D; d++) accumulator[d] = source[a + d]! + source[b + d]! + source[c + d]! + source[e + d]!;
  }
  let k = 4;
  for (; k + 4 <= count; k += 4) {
    const a = offsets[k]!;
    const b = offsets[k + 1]!;
    const c = offsets[k + 2]!;
    const e = offsets[k + 3]!;
    for (let d = 0; d < D; d++) accumulator[d]! += source[a + d]! + source[b + d]! + source[c + d]! + source[e + d]!;
  }
  const rest = count - k;
  if (rest === 0) {
    for (let d = 0; d < D; d++) out[o + d] = accumulator[d]! * scale;
  } else if (rest === 1) {
    const a = offsets[k]!;
    for (let d = 0; d < D; d++) out[o + d] = (accumulator[d]! + source[a + d]!) * scale;
  } else if (rest === 2) {
    const a = offsets[k]!;
    const b = offsets[k + 1]!;
    for (let d = 0; d < D; d++) out[o + d] = (accumulator[d]! + source[a + d]! + source[b + d]!) * scale;
  } else {
    const a = offsets[k]!;
    const b = offsets[k + 1]!;
    const c = offsets[k + 2]!;
    for (let d = 0; d < D; d++)
      out[o + d] = (accumulator[d]! + source[a + d]! + source[b + d]! + source[c + d]!) * scale;
  }
}

/**
 * @file LLaVA-OneVision's video pooling: each frame's 27x27 token grid is resized to 14x14 with bilinear
 * interpolation exactly as `F.interpolate(mode='bilinear', align_corners=False)` (no antialias) does.
 */

function sourceIndices(input: number, output: number): { low: Int32Array; high: Int32Array; weight: Float32Array } {
  const scale = input / output;
  const low = new Int32Array(output);
  const high = new Int32Array(output);
  const weight = new Float32Array(output);
  for (let o = 0; o < output; o++) {
    const source = Math.max(0, scale * (o + 0.5) - 0.5);
    const floor = Math.min(Math.floor(source), input - 1);
    low[o] = floor;
    high[o] = Math.min(floor + 1, input - 1);
    weight[o] = source - floor;
  }
  return { low, high, weight };
}

/** Resizes `count` grids `[inH, inW, D]` (channels last) to `[outH, outW, D]`. */
export function bilinearResizeGrids(
  data: Float32Array,
  count: number,
  inputHeight: number,
  inputWidth: number,
  dim: number,
  outputHeight: number,
  outputWidth: number,
): Float32Array {
  const rows = sourceIndices(inputHeight, outputHeight);
  const columns = sourceIndices(inputWidth, outputWidth);
  const out = new Float32Array(count * outputHeight * outputWidth * dim);
  for (let n = 0; n < count; n++) {
    const inBase = n * inputHeight * inputWidth * dim;
    const outBase = n * outputHeight * outputWidth * dim;
    for (let y = 0; y < outputHeight; y++) {
      const wy = rows.weight[y]!;
      const y0 = rows.low[y]!;
      const y1 = rows.high[y]!;
      for (let x = 0; x < outputWidth; x++) {
        const wx = columns.weight[x]!;
        const x0 = columns.low[x]!;
        const x1 = columns.high[x]!;
        const a = inBase + (y0 * inputWidth + x0) * dim;
        const b = inBase + (y0 * inputWidth + x1) * dim;
        const c = inBase + (y1 * inputWidth + x0) * dim;
        const d = inBase + (y1 * inputWidth + x1) * dim;
        const o = outBase + (y * outputWidth + x) * dim;
        for (let k = 0; k < dim; k++) {
          const top = data[a + k]! * (1 - wx) + data[b + k]! * wx;
          const bottom = data[c + k]! * (1 - wx) + data[d + k]! * wx;
          out[o + k] = top * (1 - wy) + bottom * wy;
        }
      }
    }
  }
  return out;
}

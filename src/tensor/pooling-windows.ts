/**
 * @file Pooling windows along one axis: the half-open input ranges `[start, end)` each output cell averages. The
 * adaptive rule is PyTorch's (`nn.AdaptiveAvgPool*d`, `F.interpolate(mode='area')`): cell `i` of `O` over an axis
 * of length `I` covers `[floor(i*I/O), ceil((i+1)*I/O))`, so windows may overlap and differ in size. The stride
 * rule is floor-mode `nn.AvgPool*d(kernel, stride)` without padding (the trailing remainder is dropped).
 */

/** `count` windows over an axis; window `i` is `[start[i], end[i])`. */
export interface PoolWindows {
  readonly count: number;
  readonly start: Int32Array;
  readonly end: Int32Array;
}

function checkLength(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
}

/** Adaptive-average-pooling windows mapping `inputLength` cells to `outputLength` cells. */
export function adaptiveWindows(inputLength: number, outputLength: number): PoolWindows {
  checkLength('input length', inputLength);
  checkLength('output length', outputLength);
  const start = new Int32Array(outputLength);
  const end = new Int32Array(outputLength);
  for (let i = 0; i < outputLength; i++) {
    start[i] = Math.floor((i * inputLength) / outputLength);
    end[i] = Math.floor(((i + 1) * inputLength + outputLength - 1) / outputLength);
  }
  return { count: outputLength, start, end };
}

/** Floor-mode windows of `kernel` cells every `stride` cells (no padding); at least one window must fit. */
export function strideWindows(inputLength: number, kernel: number, stride = kernel): PoolWindows {
  checkLength('input length', inputLength);
  checkLength('kernel', kernel);
  checkLength('stride', stride);
  if (kernel > inputLength) throw new RangeError(`kernel ${kernel} is longer than the axis (${inputLength})`);
  const count = Math.floor((inputLength - kernel) / stride) + 1;
  const start = new Int32Array(count);
  const end = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    start[i] = i * stride;
    end[i] = i * stride + kernel;
  }
  return { count, start, end };
}

/** One window per cell: the axis is left as it is. */
export function identityWindows(length: number): PoolWindows {
  return strideWindows(length, 1, 1);
}

// Pooling and resampling kernels: window rules, constants stay constant, linearity, agreement with a direct
// (slow, obviously correct) reference implementation, bilinear geometry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adaptiveWindows, strideWindows } from '../../src/tensor/pooling-windows.js';
import {
  adaptiveAveragePool1d,
  adaptiveAveragePool2d,
  adaptiveAveragePool3d,
} from '../../src/tensor/adaptive-average-pool.js';
import { bilinearResample } from '../../src/tensor/bilinear-resample.js';
import { columnPairMaxPool } from '../../src/tensor/column-pair-max-pool.js';
import { randomArray } from './random-data.js';

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-5): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs(actual[i]! - expected[i]!) <= tolerance * (1 + Math.abs(expected[i]!)),
      `index ${i}: ${actual[i]} vs ${expected[i]}`,
    );
  }
}

test('adaptive windows follow [floor(i*I/O), ceil((i+1)*I/O)) and cover the axis', () => {
  const windows = adaptiveWindows(10, 4);
  assert.deepEqual(Array.from(windows.start), [0, 2, 5, 7]);
  assert.deepEqual(Array.from(windows.end), [3, 5, 8, 10]);
  for (const [I, O] of [
    [24, 12],
    [27, 14],
    [7, 4],
    [5, 5],
    [50, 16],
    [3, 7],
  ] as const) {
    const w = adaptiveWindows(I, O);
    assert.equal(w.start[0], 0);
    assert.equal(w.end[O - 1], I);
    for (let i = 0; i < O; i++) {
      assert.equal(w.start[i], Math.floor((i * I) / O));
      assert.equal(w.end[i], Math.ceil(((i + 1) * I) / O));
      if (i > 0) assert.ok(w.start[i]! <= w.end[i - 1]!, 'windows leave a gap');
    }
  }
});

test('stride windows are floor mode (remainder dropped)', () => {
  const w = strideWindows(18, 4);
  assert.equal(w.count, 4);
  assert.deepEqual(Array.from(w.end), [4, 8, 12, 16]);
  assert.throws(() => strideWindows(3, 4), RangeError);
});

test('pooling a constant volume gives the constant', () => {
  const shape = [7, 27, 27, 5] as const;
  const data = new Float32Array(7 * 27 * 27 * 5).fill(0.375);
  for (const out of [
    adaptiveAveragePool3d(data, shape, [4, 14, 14]),
    adaptiveAveragePool2d(data, shape, [5, 3]),
    adaptiveAveragePool1d(data, shape, 3),
  ]) {
    assert.ok(out.every((v) => v === 0.375));
  }
});

test('3-D adaptive pooling agrees with a direct per-element reference', () => {
  const shape = [5, 10, 6, 3] as const;
  const data = randomArray(5 * 10 * 6 * 3, 11);
  const [oT, oH, oW] = [3, 4, 5];
  const expected: number[] = [];
  for (let t = 0; t < oT; t++)
    for (let y = 0; y < oH; y++)
      for (let x = 0; x < oW; x++)
        for (let d = 0; d < 3; d++) {
          let sum = 0;
          let n = 0;
          for (let a = Math.floor((t * 5) / oT); a < Math.ceil(((t + 1) * 5) / oT); a++)
            for (let b = Math.floor((y * 10) / oH); b < Math.ceil(((y + 1) * 10) / oH); b++)
              for (let c = Math.floor((x * 6) / oW); c < Math.ceil(((x + 1) * 6) / oW); c++) {
                sum += data[((a * 10 + b) * 6 + c) * 3 + d]!;
                n++;
              }
          expected.push(sum / n);
        }
  close(adaptiveAveragePool3d(data, shape, [oT, oH, oW]), expected);
});

test('pooling and bilinear resampling are linear', () => {
  const shape = [3, 9, 11, 4] as const;
  const a = randomArray(3 * 9 * 11 * 4, 1);
  const b = randomArray(3 * 9 * 11 * 4, 2);
  const combined = a.map((v, i) => 2 * v - 3 * b[i]!);
  for (const op of [
    (x: Float32Array) => adaptiveAveragePool3d(x, shape, [2, 4, 5]),
    (x: Float32Array) => bilinearResample(x, shape, [5, 6]),
    (x: Float32Array) => bilinearResample(x, shape, [14, 20]),
  ]) {
    const pa = op(a);
    const pb = op(b);
    close(
      op(combined),
      Array.from(pa, (v, i) => 2 * v - 3 * pb[i]!),
      1e-5,
    );
  }
});

test('bilinear resampling to the same size is the identity; exact halving averages 2x2 blocks', () => {
  const shape = [2, 6, 8, 3] as const;
  const data = randomArray(2 * 6 * 8 * 3, 5);
  close(bilinearResample(data, shape, [6, 8]), data, 1e-7);
  // Half-pixel centres: output cell i samples at 2i + 0.5, the mean of inputs 2i and 2i+1.
  const halved = bilinearResample(data, shape, [3, 4]);
  const pooled = adaptiveAveragePool2d(data, shape, [3, 4]);
  close(halved, pooled, 1e-6);
});

test('bilinear upsampling clamps at the borders (align_corners=false)', () => {
  // One row [0, 10] upsampled to 4: positions max(0,(o+0.5)/2-0.5) = 0, 0.25, 0.75, 1.25 -> clamped high tap.
  const out = bilinearResample(new Float32Array([0, 10]), [1, 1, 2, 1], [1, 4]);
  close(out, [0, 2.5, 7.5, 10], 1e-7);
});

test('column-pair max keeps an odd last column alone and picks frames', () => {
  // One frame, one row, width 5, D = 1: [1, 5, 2, 2, 9] -> [5, 2, 9].
  const data = new Float32Array([1, 5, 2, 2, 9, 0, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(columnPairMaxPool(data, [2, 1, 5, 1], [0])), [5, 2, 9]);
  assert.deepEqual(Array.from(columnPairMaxPool(data, [2, 1, 5, 1], [1, 0])), [0, 0, 0, 5, 2, 9]);
  assert.ok(Number.isNaN(columnPairMaxPool(new Float32Array([Number.NaN, 1]), [1, 1, 2, 1], [0])[0]));
});

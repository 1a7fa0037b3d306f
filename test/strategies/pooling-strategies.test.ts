// PLLaVA, spatial pooling, SlowFast-LLaVA and SHI-Labs slow-fast: token-count formulas, constants, metadata of
// pooled frames, agreement with the kernels they are built from, and typed errors for impossible parameters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { featureGrid } from '../../src/core/feature-grid.js';
import { pllavaPool } from '../../src/strategies/pllava/pllava-pool.js';
import { spatialPool } from '../../src/strategies/spatial-pool.js';
import { slowFast, slowFastTokenCount } from '../../src/strategies/slowfast/slowfast-llava.js';
import { slowFastShi } from '../../src/strategies/slowfast/slowfast-shi.js';
import { randomGrid } from '../tensor/random-data.js';

test('PLLaVA pools a 16x24x24 grid to the released (16,12,12) shape: 2304 tokens, exact 2x2 means', () => {
  const grid = randomGrid(16, 24, 24, 4, 3);
  const pooled = pllavaPool(grid);
  assert.deepEqual([pooled.T, pooled.h, pooled.w, pooled.D], [16, 12, 12, 4]);
  assert.equal(pooled.data.length / pooled.D, 2304);
  // token (t=3, y=5, x=7), channel 2 = mean of input rows 10..11, columns 14..15.
  const at = (t: number, y: number, x: number, d: number): number => grid.data[((t * 24 + y) * 24 + x) * 4 + d]!;
  const expected = (at(3, 10, 14, 2) + at(3, 10, 15, 2) + at(3, 11, 14, 2) + at(3, 11, 15, 2)) / 4;
  assert.ok(Math.abs(pooled.data[((3 * 12 + 5) * 12 + 7) * 4 + 2]! - expected) < 1e-6);
  assert.deepEqual(pooled.timestamps, grid.timestamps);
});

test('PLLaVA temporal pooling: each pooled frame carries the first frame of its window', () => {
  const grid = randomGrid(20, 4, 4, 2, 4);
  const pooled = pllavaPool(grid, [6, 2, 2]);
  // windows over 20 frames into 6: starts floor(i*20/6) = 0,3,6,10,13,16
  assert.deepEqual(pooled.frameIndices, [0, 30, 60, 100, 130, 160]);
  assert.deepEqual(pooled.timestamps, [0, 1.5, 3, 5, 6.5, 8]);
});

test('pooling a constant grid gives the constant in every strategy', () => {
  const data = new Float32Array(12 * 9 * 9 * 3).fill(-1.25);
  const grid = featureGrid(
    12,
    9,
    9,
    3,
    data,
    Array.from({ length: 12 }, (_, t) => t),
    Array.from({ length: 12 }, (_, t) => t),
  );
  const outputs = [
    pllavaPool(grid, [4, 5, 5]).data,
    spatialPool(grid, [5, 5], 'area').data,
    spatialPool(grid, [4, 7], 'bilinear').data,
    slowFast(grid, { slowFrames: 4, fastGrid: [2, 2] }).slow.data,
    slowFast(grid, { slowFrames: 4, fastGrid: [2, 2] }).fast.data,
    slowFastShi(grid, { spatialStride: 2, temporalStride: 4, minFastFrames: 2 }).fast.data,
  ];
  for (const out of outputs) assert.ok(out.every((v) => v === -1.25));
});

test('SlowFast-LLaVA token count = S*h*ceil(w/2) + T*gh*gw (3680 for the paper setting, odd widths ceil)', () => {
  for (const [T, h, w, S, g] of [
    [50, 24, 24, 10, 4],
    [16, 27, 27, 4, 4],
    [32, 8, 8, 8, 2],
    [9, 5, 3, 9, 1],
  ] as const) {
    const result = slowFast(randomGrid(T, h, w, 2, T), { slowFrames: S, fastGrid: [g, g] });
    const count = result.slow.T * result.slow.h * result.slow.w + result.fast.T * result.fast.h * result.fast.w;
    assert.equal(count, S * h * Math.ceil(w / 2) + T * g * g);
    assert.equal(count, slowFastTokenCount(T, h, w, { slowFrames: S, fastGrid: [g, g] }));
  }
  assert.equal(slowFastTokenCount(50, 24, 24), 3680);
});

test('SlowFast slow tokens are the max of horizontal pairs of the slow frames', () => {
  const grid = randomGrid(50, 4, 6, 3, 9);
  const { slowIndices, slow } = slowFast(grid, { slowFrames: 10, fastGrid: [2, 2] });
  assert.deepEqual(slowIndices, [0, 5, 10, 15, 20, 25, 30, 35, 40, 45]);
  assert.deepEqual(
    slow.frameIndices,
    slowIndices.map((t) => 10 * t),
  );
  const at = (t: number, y: number, x: number, d: number): number => grid.data[((t * 4 + y) * 6 + x) * 3 + d]!;
  // slow frame 3 (= input 15), row 2, pair 1 (columns 2,3), channel 1
  assert.equal(slow.data[((3 * 4 + 2) * 3 + 1) * 3 + 1], Math.max(at(15, 2, 2, 1), at(15, 2, 3, 1)));
});

test('SHI-Labs fast tokens: floor(T/stride) frames when enough, else adaptive to min(T, minFast)', () => {
  const a = slowFastShi(randomGrid(64, 18, 18, 2, 1));
  assert.deepEqual([a.fast.T, a.fast.h, a.fast.w], [16, 9, 9]);
  assert.equal(a.fast.T * 81, 1296);
  assert.equal(a.slow.T * a.slow.h * a.slow.w, 5184);
  assert.deepEqual(a.fast.frameIndices.slice(0, 3), [0, 40, 80]);
  const b = slowFastShi(randomGrid(40, 18, 18, 2, 2));
  assert.equal(b.fast.T, 16);
  const c = slowFastShi(randomGrid(10, 18, 18, 2, 3));
  assert.equal(c.fast.T, 10);
  // 66 frames: the remainder (2 frames) is dropped by floor-mode pooling
  const d = slowFastShi(randomGrid(66, 4, 4, 1, 4));
  assert.equal(d.fast.T, 16);
});

test('impossible parameters are typed errors naming the strategy', () => {
  const grid = randomGrid(8, 4, 4, 2, 5);
  assert.throws(() => pllavaPool(grid, [16, 2, 2]), {
    code: 'STRATEGY_INPUT',
    message: /^pllava: pooling shape \[16,2,2\]/,
  });
  assert.throws(() => slowFast(grid, { slowFrames: 0 }), { code: 'STRATEGY_INPUT' });
  assert.throws(() => spatialPool(grid, [2, 2], 'nearest' as never), {
    code: 'STRATEGY_INPUT',
    message: /unknown mode 'nearest'/,
  });
  assert.throws(() => slowFastShi(grid, { spatialStride: 5 }), { code: 'STRATEGY_INPUT' });
});

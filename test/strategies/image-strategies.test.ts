// TS-LLaVA sampling and thumbnail, IG-VLM grid: RGB and planar paths agree, layouts and frame choices follow the
// papers' rules, sampled tokens are the grid's tokens at the reported positions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RgbImage } from '../../src/core/frame.js';
import {
  bestThumbnailGrid,
  tsLlavaArrange,
  tsLlavaSample,
  tsLlavaThumbnail,
} from '../../src/strategies/ts-llava/ts-llava-tokens.js';
import {
  igVlmGrid,
  igVlmGridSentence,
  igVlmLayout,
  igVlmOpenEndedPromptVicuna,
} from '../../src/strategies/ig-vlm/ig-vlm-grid.js';
import type { PlanarFrames } from '../../src/strategies/planar-frames.js';
import { randomGrid } from '../tensor/random-data.js';

function frames(T: number, width: number, height: number): { rgb: RgbImage[]; planar: PlanarFrames } {
  const rgb: RgbImage[] = [];
  const planar = new Float32Array(T * 3 * height * width);
  for (let t = 0; t < T; t++) {
    const data = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++)
        for (let c = 0; c < 3; c++) {
          const value = (t * 31 + y * 7 + x * 3 + c * 50) % 256;
          data[(y * width + x) * 3 + c] = value;
          planar[((t * 3 + c) * height + y) * width + x] = value;
        }
    rgb.push({ width, height, data });
  }
  return { rgb, planar: { T, channels: 3, height, width, data: planar } };
}

test('TS-LLaVA sampling: count tokens, both endpoints, ascending, tokens copied from the flattened grid', () => {
  const grid = randomGrid(50, 4, 6, 3, 1);
  const result = tsLlavaSample(grid, 240);
  assert.equal(result.count, 240);
  assert.equal(result.indices[0], 0);
  assert.equal(result.indices[239], 50 * 24 - 1);
  for (let i = 1; i < 240; i++) assert.ok(result.indices[i]! > result.indices[i - 1]!);
  const i = 101;
  const index = result.indices[i]!;
  assert.deepEqual(
    Array.from(result.tokens.subarray(i * 3, i * 3 + 3)),
    Array.from(grid.data.subarray(index * 3, index * 3 + 3)),
  );
  assert.equal(result.tokenFrames[i], Math.floor(index / 24));
  assert.equal(result.tokenTimestamps[i], Math.floor(index / 24) / 2);
  assert.equal(result.timestamps.length, 50);
  assert.throws(() => tsLlavaSample(grid, 50 * 24 + 1), { code: 'STRATEGY_INPUT' });
});

test('best thumbnail grid: factor pair with the smallest difference, rows >= cols', () => {
  assert.deepEqual(bestThumbnailGrid(6), { rows: 3, cols: 2 });
  assert.deepEqual(bestThumbnailGrid(4), { rows: 2, cols: 2 });
  assert.deepEqual(bestThumbnailGrid(8), { rows: 4, cols: 2 });
  assert.deepEqual(bestThumbnailGrid(7), { rows: 7, cols: 1 });
  assert.deepEqual(bestThumbnailGrid(12), { rows: 4, cols: 3 });
});

test('TS-LLaVA thumbnail from RGB frames equals the planar float thumbnail, rounded', () => {
  const { rgb, planar } = frames(50, 30, 24);
  const a = tsLlavaThumbnail(rgb, 6);
  const b = tsLlavaThumbnail(planar, 6);
  assert.deepEqual(a.indices, [0, 10, 20, 29, 39, 49]);
  assert.deepEqual(a.indices, b.indices);
  assert.deepEqual([a.rows, a.cols, a.image.width, a.image.height], [3, 2, 30, 24]);
  for (let y = 0; y < 24; y++)
    for (let x = 0; x < 30; x++)
      for (let c = 0; c < 3; c++) {
        const float = b.image.data[(c * 24 + y) * 30 + x]!;
        assert.ok(Math.abs(a.image.data[(y * 30 + x) * 3 + c]! - float) <= 0.5, `pixel ${x},${y},${c}`);
      }
  // cell (row 1, col 0) holds frame 20, area-resampled from 30x24 to 15x8: pixel (0,8) averages rows 0..2, cols 0..1
  let sum = 0;
  for (let y = 0; y < 3; y++) for (let x = 0; x < 2; x++) sum += planar.data[((20 * 3 + 0) * 24 + y) * 30 + x]!;
  assert.ok(Math.abs(b.image.data[(0 * 24 + 8) * 30 + 0]! - sum / 6) < 1e-4);
});

test('TS-LLaVA thumbnail honours an output size and rejects too few frames', () => {
  const { rgb } = frames(8, 64, 48);
  const thumb = tsLlavaThumbnail(rgb, 6, { width: 33, height: 31 });
  assert.deepEqual([thumb.image.width, thumb.image.height], [32, 30]);
  assert.throws(() => tsLlavaThumbnail(rgb.slice(0, 5), 6), { code: 'STRATEGY_INPUT' });
  assert.deepEqual(tsLlavaArrange('s', 't'), ['s', 't']);
  assert.deepEqual(tsLlavaArrange('s', 't', 'thumbnail-first'), ['t', 's']);
});

test('IG-VLM grid: k*floor(N/k) frames, round(sqrt(k)) columns, native size, white padding, RGB == planar', () => {
  assert.deepEqual(igVlmLayout(6), { rows: 3, cols: 2 });
  assert.deepEqual(igVlmLayout(5), { rows: 3, cols: 2 });
  assert.deepEqual(igVlmLayout(12), { rows: 4, cols: 3 });
  const { rgb, planar } = frames(11, 7, 5);
  const a = igVlmGrid(rgb, 5);
  const b = igVlmGrid(planar, 5);
  assert.deepEqual(a.indices, [0, 2, 4, 6, 8]);
  assert.deepEqual([a.image.width, a.image.height], [14, 15]);
  for (let y = 0; y < 15; y++)
    for (let x = 0; x < 14; x++)
      for (let c = 0; c < 3; c++) assert.equal(a.image.data[(y * 14 + x) * 3 + c], b.image.data[(c * 15 + y) * 14 + x]);
  // last row, second cell is padding
  assert.equal(a.image.data[(12 * 14 + 10) * 3 + 1], 255);
  // frame 6 sits at row 1, column 1: its pixel (2, 3) is at (7 + 2, 5 + 3)
  assert.equal(a.image.data[(8 * 14 + 9) * 3 + 0], rgb[6]!.data[(3 * 7 + 2) * 3 + 0]);
  assert.ok(igVlmOpenEndedPromptVicuna.includes(igVlmGridSentence));
  assert.throws(() => igVlmGrid(rgb.slice(0, 4), 6), { code: 'STRATEGY_INPUT' });
});

/**
 * @file The pixels encoder: geometry and spec parsing, exact normalisation, the round trip tokens → image (equal to the
 * resized frame within quantisation), pooled tokens decoding to the mean colour of their patches, and the encoder
 * registry's hook and errors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VideoFrame } from '../../src/core/frame.js';
import {
  clipMean,
  clipStd,
  createPixelsEncoder,
  decodePatchTokens,
  parsePixelsSpec,
  registerEncoderFactory,
  resolveEncoder,
} from '../../src/encoders/index.js';
import { ModelNotFoundError, UsageError } from '../../src/errors/index.js';
import { pllavaPool } from '../../src/strategies/pllava/pllava-pool.js';
import { syntheticFrame } from '../graph/synthetic-frames.js';

function randomFrame(width: number, height: number, seed: number): VideoFrame {
  const data = new Uint8Array(width * height * 3);
  let state = seed;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    data[i] = state >>> 24;
  }
  return { width, height, data, pts: 0, index: 0 };
}

test('default geometry is CLIP ViT-L/14@336: 24x24 tokens of 3*14*14 values', () => {
  const encoder = createPixelsEncoder();
  assert.equal(encoder.name, 'pixels:336/14');
  assert.deepEqual(encoder.grid, { h: 24, w: 24 });
  assert.equal(encoder.dim, 588);
  assert.deepEqual(encoder.inputSize, { width: 336, height: 336 });
});

test('pixels:<size>/<patch> specs configure the geometry; bad specs are usage errors naming the spec', async () => {
  assert.deepEqual(parsePixelsSpec('pixels:224/16'), { size: 224, patch: 16 });
  const encoder = await resolveEncoder('pixels:224/16');
  assert.deepEqual(encoder.grid, { h: 14, w: 14 });
  assert.equal(encoder.dim, 768);
  assert.throws(
    () => parsePixelsSpec('pixels:abc'),
    (error: unknown) => error instanceof UsageError && /pixels:abc/.test(error.message),
  );
  await assert.rejects(
    resolveEncoder('pixels:100/14'),
    (error: unknown) => error instanceof UsageError && /multiple of the patch/.test(error.message),
  );
});

test('token values are the patch pixels normalised with CLIP mean/std, channel-major inside a patch', async () => {
  const encoder = createPixelsEncoder({ size: 28, patch: 14 });
  const frame = randomFrame(28, 28, 7);
  const grid = await encoder.encodeFrames([frame]);
  // Token (row 1, column 0), channel 2, pixel (y=3, x=5) inside the patch.
  const token = (1 * 2 + 0) * encoder.dim;
  const value = grid.data[token + (2 * 14 + 3) * 14 + 5]!;
  const pixel = frame.data[((14 + 3) * 28 + 5) * 3 + 2]!;
  assert.ok(Math.abs(value - (pixel / 255 - clipMean[2]) / clipStd[2]) < 1e-5);
});

test('round trip: decoding every token of a frame gives the frame back exactly', async () => {
  const encoder = createPixelsEncoder();
  const frame = randomFrame(336, 336, 42);
  const grid = await encoder.encodeFrames([frame]);
  const image = decodePatchTokens(grid.data, { patch: 14, rows: 24, columns: 24 });
  assert.equal(image.width, 336);
  assert.equal(image.height, 336);
  let worst = 0;
  for (let i = 0; i < frame.data.length; i++) worst = Math.max(worst, Math.abs(image.data[i]! - frame.data[i]!));
  assert.ok(worst <= 1, `worst difference ${worst}`);
});

test('round trip through resizing: a 672x672 frame decodes to its 2x2 block means (within quantisation)', async () => {
  const encoder = createPixelsEncoder();
  const frame = randomFrame(672, 672, 3);
  const grid = await encoder.encodeFrames([frame]);
  const image = decodePatchTokens(grid.data, { patch: 14 });
  let worst = 0;
  for (let y = 0; y < 336; y++) {
    for (let x = 0; x < 336; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (const [dy, dx] of [
          [0, 0],
          [0, 1],
          [1, 0],
          [1, 1],
        ] as const)
          sum += frame.data[((2 * y + dy) * 672 + 2 * x + dx) * 3 + c]!;
        worst = Math.max(worst, Math.abs(image.data[(y * 336 + x) * 3 + c]! - sum / 4));
      }
    }
  }
  assert.ok(worst <= 1, `worst difference ${worst}`);
});

test('pooled tokens decode to the average of the patches they pool (PLLaVA 24x24 -> 12x12)', async () => {
  const encoder = createPixelsEncoder();
  const frame = syntheticFrame(5);
  const grid = await encoder.encodeFrames([frame]);
  const pooled = pllavaPool(grid, [1, 12, 12]);
  const image = decodePatchTokens(pooled.data, { patch: 14, rows: 12, columns: 12 });
  assert.equal(image.width, 168);
  // Pixel (y, x) of pooled patch (py, px) is the mean of that pixel in the four patches (2py+a, 2px+b).
  let worst = 0;
  for (const [py, px, y, x] of [
    [0, 0, 0, 0],
    [5, 7, 3, 11],
    [11, 11, 13, 13],
  ] as const) {
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (const a of [0, 1])
        for (const b of [0, 1]) sum += frame.data[(((2 * py + a) * 14 + y) * 336 + (2 * px + b) * 14 + x) * 3 + c]!;
      worst = Math.max(worst, Math.abs(image.data[((py * 14 + y) * 168 + px * 14 + x) * 3 + c]! - sum / 4));
    }
  }
  assert.ok(worst <= 1, `worst difference ${worst}`);
});

test('sampled tokens without a layout decode into a square-ish grid, missing cells black', () => {
  const tokens = new Float32Array(5 * 3 * 2 * 2).fill(0);
  const image = decodePatchTokens(tokens, { patch: 2 });
  assert.deepEqual([image.width, image.height], [6, 4]); // 3 columns x 2 rows of 2x2 patches
  assert.throws(() => decodePatchTokens(new Float32Array(7), { patch: 2 }), RangeError);
});

test('encodeImage returns one frame; an aborted signal stops encoding', async () => {
  const encoder = createPixelsEncoder({ size: 56, patch: 14 });
  const grid = await encoder.encodeImage(randomFrame(100, 60, 1));
  assert.deepEqual([grid.T, grid.h, grid.w, grid.D], [1, 4, 4, 588]);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(encoder.encodeFrames([randomFrame(56, 56, 1)], { signal: controller.signal }), /cancelled/);
});

test('resolveEncoder: registered factories build other specs; unknown specs are ModelNotFoundError', async () => {
  await assert.rejects(
    resolveEncoder('smolvlm2-256m-nowhere'),
    (error: unknown) => error instanceof ModelNotFoundError && /smolvlm2-256m-nowhere/.test(error.message),
  );
  const fake = createPixelsEncoder({ size: 28, patch: 14 });
  const unregister = registerEncoderFactory('test-factory', async (spec) =>
    spec === 'fake-model' ? { ...fake, name: 'fake-model' } : undefined,
  );
  try {
    assert.equal((await resolveEncoder('fake-model')).name, 'fake-model');
    await assert.rejects(resolveEncoder('other'), /test-factory/);
  } finally {
    unregister();
  }
  await assert.rejects(resolveEncoder('fake-model'), ModelNotFoundError);
});

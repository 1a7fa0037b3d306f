/**
 * @file The families' high-resolution image paths: SmolVLM2's splitting layout (longest edge to 2048, 512 px tiles
 * row-major, then the global image) and LLaVA-OneVision's anyres (best pinpoint, unpad, anyres_max_9 cap, base
 * first). The planned count must equal what packing the encoder's output gives, for many sizes and aspects.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  anyresImages,
  anyresTiling,
  packAnyresFeatures,
  selectBestResolution,
} from '../../src/models/llava-onevision/anyres.js';
import { defaultAnyresPinpoints } from '../../src/models/vision-config.js';
import {
  smolvlm2SplitImages,
  smolvlm2SplitLayout,
  smolvlm2SplitTiling,
} from '../../src/models/smolvlm2/image-splitting.js';
import type { RgbImage } from '../../src/core/frame.js';

const split = { longestEdge: 2048, tileSize: 512, tileTokens: 64 };
const image = (width: number, height: number): RgbImage => ({
  width,
  height,
  data: new Uint8Array(width * height * 3).fill(100),
});

test('SmolVLM2 splitting: longest edge to 2048, sides up to multiples of 512', () => {
  assert.deepEqual(smolvlm2SplitLayout(1184, 1008, split), { width: 2048, height: 2048, rows: 4, cols: 4 });
  assert.deepEqual(smolvlm2SplitLayout(1920, 1080, split), { width: 2048, height: 1536, rows: 3, cols: 4 });
  assert.deepEqual(smolvlm2SplitLayout(360, 640, split), { width: 1536, height: 2048, rows: 4, cols: 3 });
  assert.equal(smolvlm2SplitTiling(1920, 1080, split).count, (3 * 4 + 1) * 64);
  // A small image is up-scaled to the 2048 edge too (the processor does), so it is split as well.
  assert.equal(smolvlm2SplitTiling(100, 100, split).count, 17 * 64);
  // With a tile-sized longest edge nothing is split: one global image.
  assert.deepEqual(smolvlm2SplitTiling(300, 200, { ...split, longestEdge: 512 }), {
    rows: 0,
    cols: 0,
    tokensPerTile: 0,
    globalTokens: 64,
    count: 64,
  });
});

test('SmolVLM2 splitting hands the encoder rows*cols tiles then the global image, all at most 512 px', () => {
  const { images, tiling } = smolvlm2SplitImages(image(1920, 1080), split);
  assert.equal(images.length, tiling.rows * tiling.cols + 1);
  assert.ok(images.every((tile) => tile.width <= 512 && tile.height <= 512));
  assert.deepEqual([images.at(-1)!.width, images.at(-1)!.height], [512, 512]);
});

test('anyres: best resolution, unpadded count and packing agree for many sizes', () => {
  const settings = { pinpoints: defaultAnyresPinpoints(384), tileSize: 384, tileSide: 27, maxTiles: 9, newline: false };
  assert.deepEqual(selectBestResolution(720, 1280, settings.pinpoints), [768, 1536]); // full effective resolution, least waste
  assert.deepEqual(selectBestResolution(384, 384, settings.pinpoints), [384, 384]);
  for (const [width, height] of [
    [1280, 720],
    [1184, 1008],
    [384, 384],
    [300, 1200],
    [2000, 500],
    [3840, 2160],
  ] as const) {
    const tiling = anyresTiling(width, height, settings);
    const { images } = anyresImages(image(width, height), settings);
    assert.equal(images.length, 1 + tiling.rows * tiling.cols, `${width}x${height} tiles`);
    const dim = 2;
    const features = new Float32Array(images.length * 729 * dim).map((_, i) => i % 7);
    const packed = packAnyresFeatures(features, dim, width, height, settings);
    assert.equal(packed.length / dim, tiling.count, `${width}x${height}: packed rows = planned count`);
    assert.ok(tiling.count - 729 <= Math.floor(1.21 * 9 * 729), `${width}x${height}: capped at anyres_max_9`);
  }
  const withNewline = anyresTiling(1280, 720, { ...settings, newline: true });
  assert.ok(
    withNewline.count > anyresTiling(1280, 720, settings).count,
    'a model with image_newline adds one token per row',
  );
});

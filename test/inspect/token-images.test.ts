/**
 * @file Pictures of tokens: heat-map colours and norms, pooled pixels tokens decoding back to their frame, sampled
 * tokens located at the exact positions TS-LLaVA sampled and painted over a darkened frame, merged tokens falling
 * back to a mosaic, and the model-encoder path producing heat maps.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RgbImage, VideoFrame } from '../../src/core/frame.js';
import type { VisualSegment } from '../../src/core/token-stream.js';
import { createPixelsEncoder } from '../../src/encoders/pixels.js';
import { heatColor, heatMapImage, normalizeValues, tokenNorms } from '../../src/inspect/heat-map.js';
import {
  evenlySpread,
  locateTokens,
  segmentPictures,
  type TokenPictureContext,
} from '../../src/inspect/token-images.js';
import { tsLlavaSample } from '../../src/strategies/ts-llava/ts-llava-tokens.js';

/** A 56x56 frame whose 14x14 patches each have their own colour (so every patch token is distinct). */
function patchedFrame(n: number): VideoFrame {
  const size = 56;
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const patch = Math.floor(y / 14) * 4 + Math.floor(x / 14);
      const at = (y * size + x) * 3;
      data[at] = (n * 40 + patch * 13) % 256;
      data[at + 1] = (patch * 29 + x) % 256;
      data[at + 2] = (n * 7 + y * 3) % 256;
    }
  }
  return { width: size, height: size, data, pts: n * 0.5, index: n * 10 };
}

async function fixture(): Promise<{
  frames: VideoFrame[];
  context: TokenPictureContext;
  features: Float32Array;
  encoder: ReturnType<typeof createPixelsEncoder>;
}> {
  const encoder = createPixelsEncoder({ size: 56, patch: 14 });
  const frames = [0, 1, 2, 3].map(patchedFrame);
  const grid = await encoder.encodeFrames(frames);
  const perFrame = grid.h * grid.w * grid.D;
  const context: TokenPictureContext = {
    pixels: { patch: encoder.patch, mean: encoder.mean, std: encoder.std },
    grid: { h: grid.h, w: grid.w },
    frames: new Map(frames.map((frame) => [frame.index, frame])),
    features: new Map(frames.map((frame, t) => [frame.index, grid.data.subarray(t * perFrame, (t + 1) * perFrame)])),
  };
  return { frames, context, features: grid.data, encoder };
}

function patchPixel(image: RgbImage, patchRow: number, patchColumn: number, patch: number): number[] {
  const at = ((patchRow * patch + 3) * image.width + patchColumn * patch + 5) * 3;
  return [image.data[at]!, image.data[at + 1]!, image.data[at + 2]!];
}

function close(a: readonly number[], b: readonly number[], tolerance: number): boolean {
  return a.every((value, at) => Math.abs(value - b[at]!) <= tolerance);
}

test('heat colours follow viridis, norms are L2, normalisation handles constants', () => {
  assert.deepEqual(heatColor(0), [68, 1, 84]);
  assert.deepEqual(heatColor(1), [253, 231, 37]);
  assert.deepEqual(heatColor(0.5), [33, 144, 141]);
  assert.deepEqual(heatColor(-3), [68, 1, 84]);
  assert.deepEqual(Array.from(tokenNorms(Float32Array.of(3, 4, 0, 0, 1, 0), 2)), [5, 0, 1]);
  assert.deepEqual(Array.from(normalizeValues([2, 2, 2])), [0.5, 0.5, 0.5]);
  assert.deepEqual(Array.from(normalizeValues([1, 3, 2])), [0, 1, 0.5]);
  const image = heatMapImage([0, 1], 1, 2, { cell: 3, dimmed: [false, true] });
  assert.equal(image.width, 6);
  assert.equal(image.height, 3);
  assert.deepEqual(Array.from(image.data.subarray(0, 3)), [68, 1, 84]);
  assert.deepEqual(
    Array.from(image.data.subarray(5 * 3, 5 * 3 + 3)),
    [253, 231, 37].map((value) => Math.round(value * 0.25)),
  );
  assert.throws(() => heatMapImage([1, 2, 3], 2, 2), RangeError);
  assert.deepEqual(evenlySpread(10, 4), [0, 3, 6, 9]);
  assert.deepEqual(evenlySpread(3, 8), [0, 1, 2]);
});

test('a full-grid pixels segment decodes back to its frame', async () => {
  const { frames, context, features } = await fixture();
  const D = 588;
  const segment: VisualSegment = {
    type: 'visual',
    role: 'frames',
    tokens: features.subarray(16 * D, 32 * D),
    count: 16,
    dim: D,
    timestamps: [0.5],
    frameIndices: [10],
    layout: { t: 1, h: 4, w: 4 },
  };
  const result = segmentPictures(segment, context);
  assert.equal(result.pictures.length, 1);
  const picture = result.pictures[0]!;
  assert.equal(picture.kind, 'decoded');
  assert.equal(picture.image.width, 56);
  let maximumError = 0;
  for (let i = 0; i < picture.image.data.length; i++)
    maximumError = Math.max(maximumError, Math.abs(picture.image.data[i]! - frames[1]!.data[i]!));
  assert.ok(maximumError <= 1, `decoded frame differs by up to ${maximumError}`);
});

test('TS-LLaVA sampled tokens are located at the positions it sampled and painted over a darkened frame', async () => {
  const { frames, context, encoder } = await fixture();
  const grid = await encoder.encodeFrames(frames);
  const sampled = tsLlavaSample(grid, 10);
  const segment: VisualSegment = {
    type: 'visual',
    role: 'sampled',
    tokens: sampled.tokens,
    count: sampled.count,
    dim: sampled.dim,
    timestamps: sampled.timestamps,
    frameIndices: sampled.frameIndices,
  };
  const locations = locateTokens(segment, context);
  assert.ok(locations !== undefined);
  assert.deepEqual(
    locations.map((location) => frames.findIndex((frame) => frame.index === location.frame) * 16 + location.position),
    sampled.indices,
  );
  const result = segmentPictures(segment, context);
  assert.equal(result.pictures.length, 4);
  const first = result.pictures[0]!;
  assert.equal(first.kind, 'placed');
  // Frame 0 keeps the tokens at flattened positions < 16.
  const kept = new Set(sampled.indices.filter((index) => index < 16));
  for (let position = 0; position < 16; position++) {
    const row = Math.floor(position / 4);
    const column = position % 4;
    const original = patchPixel(frames[0]!, row, column, 14);
    const shown = patchPixel(first.image, row, column, 14);
    const expected = kept.has(position) ? original : original.map((value) => Math.round(value * 0.2));
    assert.ok(
      close(shown, expected, 1),
      `patch ${position} (${kept.has(position) ? 'kept' : 'dropped'}): ${shown} vs ${expected}`,
    );
  }
});

test('merged tokens become a mosaic; without pixels geometry every picture is a heat map', async () => {
  const { context, features } = await fixture();
  const D = 588;
  const merged = new Float32Array(3 * D);
  for (let d = 0; d < 3 * D; d++) merged[d] = (features[d]! + features[d + D]!) / 2;
  const segment: VisualSegment = {
    type: 'visual',
    role: 'sampled',
    tokens: merged,
    count: 3,
    dim: D,
    timestamps: [0],
    frameIndices: [0],
  };
  const mosaic = segmentPictures(segment, context);
  assert.equal(mosaic.pictures[0]!.kind, 'mosaic');
  assert.equal(mosaic.pictures[0]!.image.width, 2 * 14);
  const { pixels: _pixels, ...modelContext } = context;
  const pooled: VisualSegment = {
    type: 'visual',
    role: 'frames',
    tokens: features.subarray(0, 32 * D),
    count: 32,
    dim: D,
    timestamps: [0, 0.5],
    frameIndices: [0, 10],
    layout: { t: 2, h: 4, w: 4 },
  };
  const heat = segmentPictures(pooled, modelContext);
  assert.deepEqual(
    heat.pictures.map((picture) => picture.kind),
    ['heat-map', 'heat-map'],
  );
  assert.equal(segmentPictures(segment, modelContext).pictures[0]!.kind, 'heat-map');
});

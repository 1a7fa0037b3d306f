/**
 * @file A test encoder with a real model family's geometry (read from its config files by the product's own code)
 * but no vision tower: tokens are a deterministic function of the frame's pixels (mean colour of each grid cell,
 * spread over D channels), so shapes, counts and scene structure are real while no weights are needed. Images
 * through the `native` path get exactly the tokens the family's tiling plans.
 */
import type { EncoderGeometry, ImageTokens, VisualEncoder } from '../../src/core/encoder.js';
import { featureGrid, type FeatureGrid } from '../../src/core/feature-grid.js';
import type { RgbImage, VideoFrame } from '../../src/core/frame.js';
import { familyGeometry } from '../../src/models/family-geometry.js';
import { familyFromDirectory } from '../../src/models/family-from-files.js';

function cellTokens(image: RgbImage, h: number, w: number, dim: number, out: Float32Array, offset: number): void {
  for (let gy = 0; gy < h; gy++) {
    for (let gx = 0; gx < w; gx++) {
      const y0 = Math.floor((gy * image.height) / h);
      const y1 = Math.max(y0 + 1, Math.floor(((gy + 1) * image.height) / h));
      const x0 = Math.floor((gx * image.width) / w);
      const x1 = Math.max(x0 + 1, Math.floor(((gx + 1) * image.width) / w));
      const sum = [0, 0, 0];
      for (let y = y0; y < y1; y++)
        for (let x = x0; x < x1; x++) for (let c = 0; c < 3; c++) sum[c]! += image.data[(y * image.width + x) * 3 + c]!;
      const n = (y1 - y0) * (x1 - x0);
      const token = offset + (gy * w + gx) * dim;
      for (let d = 0; d < dim; d++) out[token + d] = sum[d % 3]! / n / 255 - 0.5 + 0.01 * Math.sin(d + gy * 3 + gx);
    }
  }
}

/** An encoder with the geometry of the model folder `directory` (config files only). */
export function familyShapeEncoder(
  directory: string,
  name: string,
  dim = 16,
): VisualEncoder & { readonly geometry: EncoderGeometry; encodedFrames: number } {
  const family = familyFromDirectory(directory);
  const geometry = familyGeometry(family);
  const { h, w } = geometry.frameGrid;
  const encoder = {
    name,
    dim,
    inputSize: geometry.inputSize,
    grid: geometry.frameGrid,
    geometry,
    encodedFrames: 0,
    async encodeFrames(frames: readonly VideoFrame[]): Promise<FeatureGrid> {
      encoder.encodedFrames += frames.length;
      const data = new Float32Array(frames.length * h * w * dim);
      frames.forEach((frame, t) => cellTokens(frame, h, w, dim, data, t * h * w * dim));
      return featureGrid(
        frames.length,
        h,
        w,
        dim,
        data,
        frames.map((frame) => frame.pts),
        frames.map((frame) => frame.index),
      );
    },
    async encodeImage(image: RgbImage): Promise<FeatureGrid> {
      const tile = geometry.tileGrid;
      const data = new Float32Array(tile.h * tile.w * dim);
      cellTokens(image, tile.h, tile.w, dim, data, 0);
      return featureGrid(1, tile.h, tile.w, dim, data, [0], [0]);
    },
    async encodeImageNative(image: RgbImage): Promise<ImageTokens> {
      const tiling = geometry.imageTokens(image.width, image.height, 'native');
      const data = new Float32Array(tiling.count * dim);
      cellTokens(image, 1, tiling.count, dim, data, 0);
      return { data, count: tiling.count, dim, tiling };
    },
  };
  return encoder;
}

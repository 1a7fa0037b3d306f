/**
 * @file The encoder geometry of a model family (its vision numbers from the model's files): the per-frame grid after
 * the family's video pooling, the single-tile image grid, and the high-resolution image path. Shared by the ONNX
 * model encoder and by anything that plans pipelines for a family without loading weights (the pipeline matrix,
 * the docs table).
 */
import { singleTile, type EncoderGeometry } from '../core/encoder.js';
import type { ModelFamily } from './model-family.js';

/** Geometry of `family` as configured (call `family.configure(...)` first to use a model's own files). */
export function familyGeometry(family: ModelFamily): EncoderGeometry {
  const tileTokens = family.tileGrid.h * family.tileGrid.w;
  const nativeImage = family.nativeImage;
  return {
    frameGrid: family.frameGrid,
    tokensPerFrame: family.frameGrid.h * family.frameGrid.w,
    inputSize: { width: family.imageSize, height: family.imageSize },
    tileGrid: family.tileGrid,
    tileTokens,
    imageTiling: nativeImage?.tiling ?? 'none',
    maxImageTokens: nativeImage?.maxImageTokens ?? tileTokens,
    imageTokens: (width, height, mode) =>
      mode === 'native' && nativeImage !== undefined ? nativeImage.plan(width, height) : singleTile(tileTokens),
    source: `${family.name}: ${family.vision.source}`,
  };
}

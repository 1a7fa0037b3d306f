/**
 * @file The SmolVLM2 family adapter (256M / 500M Video-Instruct, and idefics3-style SmolVLM): frames squashed to the
 * encoder's input size, tokens per frame = `(image_size / patch_size / scale_factor)^2` as a square grid in raster
 * order (512 px, patch 16, pixel shuffle 4: 8x8 = 64; SmolVLM 384 px, patch 14, shuffle 3: 9x9 = 81), the image
 * splitting path for large images, the video prompt and its special tokens. Every number comes from the model's
 * config and processor files (`configure`), with the published values as defaults.
 */
import { familyBase, publishedFamily, squareTokenGrid } from '../family-base.js';
import type { ModelFamily, NativeImagePath } from '../model-family.js';
import type { VisionConfig, VisionDefaults } from '../vision-config.js';
import { smolvlm2SplitImages, smolvlm2SplitTiling, type SplitSettings } from './image-splitting.js';
import { smolvlm2ContextText, smolvlm2QuestionText } from './prompt-builder.js';
import { smolvlm2Tokens } from './special-tokens.js';

export { smolvlm2ContextText, smolvlm2MediaText, smolvlm2QuestionText } from './prompt-builder.js';
export { smolvlm2TokenIds, smolvlm2Tokens } from './special-tokens.js';
export { smolvlm2SplitImages, smolvlm2SplitLayout, smolvlm2SplitTiling } from './image-splitting.js';

// Data: every family lists the same `VisionDefaults` fields (published numbers), with its own values.
const smolvlm2Defaults: VisionDefaults = {
  imageSize: 512,
  patchSize: 16,
  scaleFactor: 4,
  mean: [0.5, 0.5, 0.5],
  std: [0.5, 0.5, 0.5],
  tiling: 'split',
};

function splitPath(vision: VisionConfig): NativeImagePath | undefined {
  if (vision.splitting === undefined) return undefined;
  const settings: SplitSettings = { ...vision.splitting, tileTokens: vision.tileSide * vision.tileSide };
  const sideTiles = Math.ceil(settings.longestEdge / settings.tileSize);
  return {
    tiling: 'split',
    maxImageTokens: (sideTiles * sideTiles + 1) * settings.tileTokens,
    plan: (width, height) => smolvlm2SplitTiling(width, height, settings),
    images: (image) => smolvlm2SplitImages(image, settings),
    // Tiles row-major then the global image: the encoder output is already in prompt order.
    pack: (output) => output.data,
  };
}

function createSmolvlm2Family(vision: VisionConfig): ModelFamily {
  const grid = { h: vision.tileSide, w: vision.tileSide };
  const nativeImage = splitPath(vision);
  return {
    name: 'smolvlm2',
    modelTypes: ['smolvlm', 'idefics3'],
    ...familyBase(vision, smolvlm2Defaults, createSmolvlm2Family),
    frameGrid: grid,
    tileGrid: grid,
    ...(nativeImage ? { nativeImage } : {}),
    placeholderTokens: [smolvlm2Tokens.image],
    frameTokens: squareTokenGrid,
    imageTokens: squareTokenGrid,
    contextText: smolvlm2ContextText,
    questionText: smolvlm2QuestionText,
  };
}

/** The adapter with the published SmolVLM2 numbers; `configure` reads a model's own files. */
export const smolvlm2Family: ModelFamily = publishedFamily(smolvlm2Defaults, 'smolvlm2 defaults', createSmolvlm2Family);

/**
 * @file The LLaVA-OneVision family adapter (qwen2-0.5b): frames squashed to the encoder's input size (384 px),
 * `(image_size / patch_size)^2` projected tokens per image (27x27 = 729), pooled bilinearly to
 * `ceil(side / 2)` squared per video frame (14x14 = 196, `apply_pooling`), anyres tiling for large images, and the
 * Qwen2 chat prompt with `<video>` / `<image>` rows. Numbers come from the model's files (`configure`), with the
 * published values as defaults.
 */
import { familyBase, publishedFamily, squareTokenGrid } from '../family-base.js';
import type { ModelFamily, NativeImagePath, TokenGrids, VisionOutput } from '../model-family.js';
import type { VisionConfig, VisionDefaults } from '../vision-config.js';
import { anyresImages, anyresTiling, packAnyresFeatures, type AnyresSettings } from './anyres.js';
import { bilinearResample } from '../../tensor/bilinear-resample.js';
import { llavaOnevisionContextText, llavaOnevisionQuestionText } from './prompt-builder.js';
import { llavaOnevisionTokens } from './special-tokens.js';

export { anyresImages, anyresTiling, packAnyresFeatures, selectBestResolution } from './anyres.js';
export { llavaOnevisionContextText, llavaOnevisionMediaText, llavaOnevisionQuestionText } from './prompt-builder.js';
export { llavaOnevisionTokenIds, llavaOnevisionTokens } from './special-tokens.js';

// Data: every family lists the same `VisionDefaults` fields (published numbers), with its own values.
const llavaOnevisionDefaults: VisionDefaults = {
  imageSize: 384,
  patchSize: 14,
  scaleFactor: 1,
  mean: [0.5, 0.5, 0.5],
  std: [0.5, 0.5, 0.5],
  tiling: 'anyres',
};

function anyresPath(vision: VisionConfig, newline?: Float32Array): NativeImagePath | undefined {
  if (vision.anyres === undefined) return undefined;
  const settings: AnyresSettings = {
    ...vision.anyres,
    tileSize: vision.imageSize,
    tileSide: vision.tileSide,
    newline: newline !== undefined,
  };
  // Upper bound of anyres_max_N: the packed grid keeps at most 1.1^2 x N tiles' features (a larger one is resized
  // down), plus one newline per row when the model has image_newline, plus the base tile.
  const tileTokens = settings.tileSide * settings.tileSide;
  const maxRows = Math.max(...settings.pinpoints.map(([height]) => height / settings.tileSize)) * settings.tileSide;
  const maxImageTokens =
    tileTokens + Math.floor(1.21 * settings.maxTiles * tileTokens) + (settings.newline ? maxRows : 0);
  return {
    tiling: 'anyres',
    maxImageTokens,
    plan: (width, height) => anyresTiling(width, height, settings),
    images: (image) => anyresImages(image, settings),
    pack: (output, width, height) => packAnyresFeatures(output.data, output.hidden, width, height, settings, newline),
  };
}

function createLlavaOnevisionFamily(vision: VisionConfig, newline?: Float32Array): ModelFamily {
  const pooled = Math.ceil(vision.tileSide / 2);
  const nativeImage = anyresPath(vision, newline);
  return {
    name: 'llava-onevision',
    modelTypes: ['llava_onevision'],
    ...familyBase(vision, llavaOnevisionDefaults, (configured) => createLlavaOnevisionFamily(configured, newline)),
    withImageNewline: (vector: Float32Array) => createLlavaOnevisionFamily(vision, vector),
    frameGrid: { h: pooled, w: pooled },
    tileGrid: { h: vision.tileSide, w: vision.tileSide },
    ...(nativeImage ? { nativeImage } : {}),
    placeholderTokens: [llavaOnevisionTokens.video, llavaOnevisionTokens.image],
    frameTokens(output: VisionOutput): TokenGrids {
      const side = squareTokenGrid(output).h;
      const frameSide = Math.ceil(side / 2);
      return {
        data: bilinearResample(output.data, [output.count, side, side, output.hidden], [frameSide, frameSide]),
        h: frameSide,
        w: frameSide,
      };
    },
    imageTokens: squareTokenGrid,
    contextText: llavaOnevisionContextText,
    questionText: llavaOnevisionQuestionText,
  };
}

/** The adapter with the published LLaVA-OneVision numbers; `configure` reads a model's own files. */
export const llavaOnevisionFamily: ModelFamily = publishedFamily(
  llavaOnevisionDefaults,
  'llava-onevision defaults',
  createLlavaOnevisionFamily,
);

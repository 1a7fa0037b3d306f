/**
 * @file What every family adapter built on a vision config shares, written once: the fields that follow from the
 * vision numbers (`vision`, `configure`, `imageSize`, `writePixels`), the adapter with the published numbers, and
 * the square token grid of a vision output. A family's `index.ts` keeps only what is its own (grids, pooling, image
 * path, prompt, tokens).
 */
import type { ModelFamily, TokenGrids, VisionOutput } from './model-family.js';
import { writeVisionPixels } from './image-pixels.js';
import { resolveVisionConfig, type VisionConfig, type VisionDefaults } from './vision-config.js';

/** The fields of a family that follow from its vision config; `rebuild` makes the family for other numbers. */
export function familyBase(
  vision: VisionConfig,
  defaults: VisionDefaults,
  rebuild: (vision: VisionConfig) => ModelFamily,
): Pick<ModelFamily, 'vision' | 'configure' | 'imageSize' | 'writePixels'> {
  return {
    vision,
    configure: (sources, where) => rebuild(resolveVisionConfig(sources, defaults, where)),
    imageSize: vision.imageSize,
    writePixels: (image, out, offset) => writeVisionPixels(image, vision, out, offset),
  };
}

/** The family with the published numbers (no model files read); `configure` reads a model's own files. */
export function publishedFamily(
  defaults: VisionDefaults,
  where: string,
  create: (vision: VisionConfig) => ModelFamily,
): ModelFamily {
  return create(resolveVisionConfig({ config: {}, preprocessor: {}, processor: {}, read: [] }, defaults, where));
}

/** The encoder output of one image as a square `side x side` grid in raster order; throws when it is not square. */
export function squareTokenGrid(output: VisionOutput): TokenGrids {
  const side = Math.round(Math.sqrt(output.tokens));
  if (side * side !== output.tokens)
    throw new RangeError(`vision output of ${output.tokens} tokens per image is not a square grid`);
  return { data: output.data, h: side, w: side };
}

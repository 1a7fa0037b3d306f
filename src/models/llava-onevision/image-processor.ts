/**
 * @file LLaVA-OneVision frame preprocessing: squash to the encoder's input size (384x384 published; video frames
 * get no anyres tiling) and the processor's `image_mean`/`image_std` (SigLIP's 0.5 / 0.5), in CHW order.
 */
import type { RgbImage } from '../../core/frame.js';
import { writeNormalizedPixels } from '../image-pixels.js';
import type { VisionConfig } from '../vision-config.js';

/** The published input size (defaults for files that omit it). */
export const llavaOnevisionImageSize = 384;

/** Writes the 3 x size x size pixel values of `image` at `offset` of `out`, for the given vision numbers. */
export function writeLlavaOnevisionPixels(
  image: RgbImage,
  out: Float32Array,
  offset: number,
  vision?: Pick<VisionConfig, 'imageSize' | 'mean' | 'std'>,
): void {
  writeNormalizedPixels(
    image,
    vision?.imageSize ?? llavaOnevisionImageSize,
    vision?.mean ?? [0.5, 0.5, 0.5],
    vision?.std ?? [0.5, 0.5, 0.5],
    out,
    offset,
  );
}

/**
 * @file LLaVA-OneVision frame preprocessing: squash to 384x384 (video frames get no anyres tiling) and SigLIP
 * normalisation (mean = std = 0.5), in CHW order.
 */
import type { RgbImage } from '../../core/frame.js';
import { writeNormalizedPixels } from '../image-pixels.js';

export const llavaOnevisionImageSize = 384;

/** Writes the 3x384x384 pixel values of `image` at `offset` of `out`. */
export function writeLlavaOnevisionPixels(image: RgbImage, out: Float32Array, offset: number): void {
  writeNormalizedPixels(image, llavaOnevisionImageSize, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], out, offset);
}

/**
 * @file SmolVLM2's video-frame preprocessing: every frame is squashed to 512x512 (aspect not kept, no splitting,
 * as the video processor does) and normalised with mean = std = 0.5, i.e. `x/255*2 - 1`, in CHW order.
 */
import type { RgbImage } from '../../core/frame.js';
import { writeNormalizedPixels } from '../image-pixels.js';

export const smolvlm2ImageSize = 512;

/** Writes the 3x512x512 pixel values of `image` at `offset` of `out`. */
export function writeSmolvlm2Pixels(image: RgbImage, out: Float32Array, offset: number): void {
  writeNormalizedPixels(image, smolvlm2ImageSize, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], out, offset);
}

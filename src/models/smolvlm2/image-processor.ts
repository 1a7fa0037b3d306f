/**
 * @file SmolVLM2's video-frame preprocessing: every frame is squashed to the encoder's input size (512x512 in the
 * published models: aspect not kept, no splitting, as the video processor does) and normalised with the
 * processor's `image_mean`/`image_std` (0.5 / 0.5 published, i.e. `x/255*2 - 1`), in CHW order.
 */
import type { RgbImage } from '../../core/frame.js';
import { writeNormalizedPixels } from '../image-pixels.js';
import type { VisionConfig } from '../vision-config.js';

/** The published input size (defaults for files that omit it). */
export const smolvlm2ImageSize = 512;

/** Writes the 3 x size x size pixel values of `image` at `offset` of `out`, for the given vision numbers. */
export function writeSmolvlm2Pixels(
  image: RgbImage,
  out: Float32Array,
  offset: number,
  vision?: Pick<VisionConfig, 'imageSize' | 'mean' | 'std'>,
): void {
  writeNormalizedPixels(
    image,
    vision?.imageSize ?? smolvlm2ImageSize,
    vision?.mean ?? [0.5, 0.5, 0.5],
    vision?.std ?? [0.5, 0.5, 0.5],
    out,
    offset,
  );
}

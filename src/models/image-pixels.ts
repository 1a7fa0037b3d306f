/**
 * @file Shared frame preprocessing: squash an RGB image to a square input size, then rescale and normalise each
 * channel into a CHW float buffer (`(x/255 - mean) / std`).
 */
import type { RgbImage } from '../core/frame.js';
import { resizeImageArea } from '../encoders/resize-image.js';
import type { VisionConfig } from './vision-config.js';

/** Writes `image` resized to `size`x`size` as normalised CHW float32 at `offset` of `out`. */
export function writeNormalizedPixels(
  image: RgbImage,
  size: number,
  mean: readonly [number, number, number],
  std: readonly [number, number, number],
  out: Float32Array,
  offset: number,
): void {
  const resized = resizeImageArea(image, size, size);
  const plane = size * size;
  for (let channel = 0; channel < 3; channel++) {
    const scale = 1 / (255 * std[channel]!);
    const shift = mean[channel]! / std[channel]!;
    const base = offset + channel * plane;
    for (let index = 0; index < plane; index++) out[base + index] = resized.data[index * 3 + channel]! * scale - shift;
  }
}

/** Writes `image` squashed to the encoder's input size with the model's own mean/std (every family's frame path). */
export function writeVisionPixels(
  image: RgbImage,
  vision: Pick<VisionConfig, 'imageSize' | 'mean' | 'std'>,
  out: Float32Array,
  offset: number,
): void {
  writeNormalizedPixels(image, vision.imageSize, vision.mean, vision.std, out, offset);
}

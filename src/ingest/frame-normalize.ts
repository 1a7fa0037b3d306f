/**
 * @file A float view of an RGB24 frame: values in [0, 1] (optionally mean/std normalised per channel), interleaved
 * HWC or planar CHW, as vision encoders expect.
 */
import type { RgbImage } from '../core/frame.js';

export interface NormalizeOptions {
  /** Per-channel mean subtracted after scaling to [0, 1]. */
  mean?: readonly [number, number, number];
  /** Per-channel standard deviation divided after subtracting the mean. */
  std?: readonly [number, number, number];
  /** 'hwc' keeps the interleaved layout (default); 'chw' makes three planes. */
  layout?: 'hwc' | 'chw';
}

/** Converts RGB24 bytes to floats: `((value / 255) - mean[c]) / std[c]`. */
export function normalizeFrame(image: RgbImage, options: NormalizeOptions = {}): Float32Array {
  const mean = options.mean ?? [0, 0, 0];
  const std = options.std ?? [1, 1, 1];
  const pixels = image.width * image.height;
  const out = new Float32Array(pixels * 3);
  const chw = options.layout === 'chw';
  for (let pixel = 0; pixel < pixels; pixel += 1) {
    for (let channel = 0; channel < 3; channel += 1) {
      const value = (image.data[pixel * 3 + channel]! / 255 - mean[channel]!) / std[channel]!;
      out[chw ? channel * pixels + pixel : pixel * 3 + channel] = value;
    }
  }
  return out;
}

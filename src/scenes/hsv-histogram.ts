/**
 * @file The embedded low-level scene descriptor: a joint HSV colour histogram of a frame (hue x saturation x value
 * bins, as PySceneDetect's histogram detector and OpenCV's `calcHist` over HSV), returned as the square root of the
 * normalised histogram. With that square root the cosine similarity of two descriptors is exactly the
 * Bhattacharyya coefficient of the two histograms, so the descriptor works with every cosine-based rule
 * (SceneTilling's depth score included) and `1 - cosine` is a distance in [0, 1]. A colour histogram ignores where
 * colours are, so camera motion inside one shot barely changes it while a cut to another shot does.
 */
import type { RgbImage } from '../core/frame.js';
import { StrategyInputError } from '../errors/index.js';

export interface HsvHistogramBins {
  readonly hue: number;
  readonly saturation: number;
  readonly value: number;
}

/** 16 hue x 4 saturation x 4 value bins (256 values). */
export const defaultHsvBins: HsvHistogramBins = { hue: 16, saturation: 4, value: 4 };

/** Pixels read at most per frame (a regular stride over larger frames). */
export const defaultHistogramPixels = 16384;

export interface HsvHistogramOptions {
  readonly bins?: HsvHistogramBins;
  readonly maxPixels?: number;
}

/** Length of the descriptor for `bins`. */
export function hsvDescriptorLength(bins: HsvHistogramBins = defaultHsvBins): number {
  return bins.hue * bins.saturation * bins.value;
}

/** The square-rooted, normalised joint HSV histogram of `image` (unit length). */
export function hsvHistogram(image: RgbImage, options: HsvHistogramOptions = {}): Float32Array {
  const bins = options.bins ?? defaultHsvBins;
  const pixels = image.width * image.height;
  if (!(pixels > 0) || image.data.length < pixels * 3) {
    throw new StrategyInputError(
      'hsv-histogram',
      `image ${image.width}x${image.height} has ${image.data.length} bytes`,
    );
  }
  const stride = Math.max(1, Math.floor(pixels / (options.maxPixels ?? defaultHistogramPixels)));
  const counts = new Float64Array(hsvDescriptorLength(bins));
  const data = image.data;
  let total = 0;
  for (let pixel = 0; pixel < pixels; pixel += stride) {
    const at = pixel * 3;
    const red = data[at]!;
    const green = data[at + 1]!;
    const blue = data[at + 2]!;
    const maximum = Math.max(red, green, blue);
    const minimum = Math.min(red, green, blue);
    const chroma = maximum - minimum;
    let hue = 0;
    if (chroma > 0) {
      if (maximum === red) hue = ((green - blue) / chroma + 6) % 6;
      else if (maximum === green) hue = (blue - red) / chroma + 2;
      else hue = (red - green) / chroma + 4;
    }
    const saturation = maximum === 0 ? 0 : chroma / maximum;
    const hueBin = Math.min(bins.hue - 1, Math.floor((hue / 6) * bins.hue));
    const saturationBin = Math.min(bins.saturation - 1, Math.floor(saturation * bins.saturation));
    const valueBin = Math.min(bins.value - 1, Math.floor((maximum / 256) * bins.value));
    counts[(hueBin * bins.saturation + saturationBin) * bins.value + valueBin]! += 1;
    total += 1;
  }
  const descriptor = new Float32Array(counts.length);
  for (let bin = 0; bin < counts.length; bin++) descriptor[bin] = Math.sqrt(counts[bin]! / total);
  return descriptor;
}

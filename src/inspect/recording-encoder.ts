/**
 * @file An encoder wrapper that records what it computes: the feature grid of every encoded frame (by source frame
 * index) and every composed image (thumbnail, grid) with its tokens. The report uses them for heat maps, for placing
 * sampled tokens back on their frames and for showing the images a pipeline built. The wrapper does not dispose the
 * inner encoder; its owner does.
 */
import type { EncodeOptions, VisualEncoder } from '../core/encoder.js';
import type { FeatureGrid } from '../core/feature-grid.js';
import type { RgbImage, VideoFrame } from '../core/frame.js';

/** Tokens of one frame: `h*w*D` values, channels-last. */
export interface RecordedFrameFeatures {
  readonly index: number;
  readonly pts: number;
  readonly tokens: Float32Array;
}

export interface RecordedImage {
  readonly image: RgbImage;
  readonly grid: FeatureGrid;
}

export interface RecordingEncoder extends VisualEncoder {
  readonly inner: VisualEncoder;
  /** Feature tokens of every encoded frame, keyed by source frame index. */
  readonly frameFeatures: Map<number, RecordedFrameFeatures>;
  /** Composed images passed to `encodeImage`, in call order. */
  readonly images: RecordedImage[];
}

/** Wraps `inner` so that its outputs are recorded. */
export function recordingEncoder(inner: VisualEncoder): RecordingEncoder {
  const frameFeatures = new Map<number, RecordedFrameFeatures>();
  const images: RecordedImage[] = [];
  const embedText = inner.embedText;
  return {
    inner,
    frameFeatures,
    images,
    name: inner.name,
    dim: inner.dim,
    inputSize: inner.inputSize,
    grid: inner.grid,
    ...(inner.geometry !== undefined ? { geometry: inner.geometry } : {}),
    async encodeFrames(frames: readonly VideoFrame[], options?: EncodeOptions): Promise<FeatureGrid> {
      const grid = await inner.encodeFrames(frames, options);
      const size = grid.h * grid.w * grid.D;
      for (let t = 0; t < grid.T; t++) {
        frameFeatures.set(grid.frameIndices[t]!, {
          index: grid.frameIndices[t]!,
          pts: grid.timestamps[t]!,
          tokens: grid.data.subarray(t * size, (t + 1) * size),
        });
      }
      return grid;
    },
    async encodeImage(image: RgbImage, options?: EncodeOptions): Promise<FeatureGrid> {
      const grid = await inner.encodeImage(image, options);
      images.push({ image, grid });
      return grid;
    },
    ...(embedText !== undefined ? { embedText: (text: string) => embedText.call(inner, text) } : {}),
    ...(inner.encodeImageNative !== undefined ? { encodeImageNative: inner.encodeImageNative.bind(inner) } : {}),
  };
}

/**
 * @file The `VisualEncoder` of an ONNX VLM: frames are preprocessed by the family adapter, sent through the export's
 * vision_encoder in batches, and returned as projected tokens in the LM space, `[T, h, w, D]` (SmolVLM2: 8x8 per
 * frame; LLaVA-OV: 14x14 after bilinear pooling). `encodeImage` runs one composed image as a single tile;
 * `encodeImageNative` runs it through the family's high-resolution path (SmolVLM2 splitting, LLaVA-OV anyres).
 * `geometry` describes both from the family's numbers, which come from the model's config and processor files.
 * `embedText` is the mean of the embed_tokens rows of the text's tokens. Per-frame descriptors are the mean token
 * (`meanTokenDescriptors` in core).
 */
import { singleTile, type EncodeOptions, type ImageTokens, type VisualEncoder } from '../core/encoder.js';
import { familyGeometry } from '../models/family-geometry.js';
import { featureGrid, type FeatureGrid } from '../core/feature-grid.js';
import type { RgbImage, VideoFrame } from '../core/frame.js';
import { AbortedError } from '../errors/index.js';
import type { ModelFamily } from '../models/index.js';
import type { ModelInfo } from './model-config.js';
import type { ModelRunner } from './model-runner.js';
import type { TextTokenizer } from './text-tokenizer.js';

export interface ModelEncoderOptions {
  /** Frames per vision_encoder call (default 8). */
  readonly batchSize?: number;
  /** Encoder name in metadata (default: the family name). */
  readonly name?: string;
  /** Called after the encoder is disposed (e.g. to dispose a model the encoder owns). */
  readonly onDispose?: () => Promise<void>;
  /** The model's learned image newline (LLaVA-OneVision), appended after each packed row of a native image. */
  readonly imageNewline?: Float32Array;
}

export interface ModelEncoderParts {
  readonly info: ModelInfo;
  readonly family: ModelFamily;
  readonly runner: ModelRunner;
  readonly tokenizer: TextTokenizer;
}

/** Creates the visual encoder of a loaded model. */
export function createModelEncoder(parts: ModelEncoderParts, options: ModelEncoderOptions = {}): VisualEncoder {
  const { info, runner, tokenizer } = parts;
  const family =
    options.imageNewline !== undefined && parts.family.withImageNewline !== undefined
      ? parts.family.withImageNewline(options.imageNewline)
      : parts.family;
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 8));
  const size = family.imageSize;
  const imageValues = 3 * size * size;

  async function runImages(images: readonly RgbImage[], signal: AbortSignal | undefined) {
    const pixels = new Float32Array(images.length * imageValues);
    images.forEach((image, index) => family.writePixels(image, pixels, index * imageValues));
    return runner.encodeImages(pixels, images.length, signal ? { signal } : {});
  }

  const nativeImage = family.nativeImage;
  const geometry = familyGeometry(family);

  return {
    name: options.name ?? info.family,
    dim: info.hidden,
    inputSize: { width: size, height: size },
    grid: family.frameGrid,
    geometry,

    async encodeFrames(frames: readonly VideoFrame[], encodeOptions: EncodeOptions = {}): Promise<FeatureGrid> {
      const { h, w } = family.frameGrid;
      const perFrame = h * w * info.hidden;
      const data = new Float32Array(frames.length * perFrame);
      for (let start = 0; start < frames.length; start += batchSize) {
        if (encodeOptions.signal?.aborted) throw new AbortedError('encode frames');
        const batch = frames.slice(start, start + batchSize);
        const grids = family.frameTokens(await runImages(batch, encodeOptions.signal));
        if (grids.h !== h || grids.w !== w)
          throw new RangeError(`vision encoder gave ${grids.h}x${grids.w} tokens per frame, expected ${h}x${w}`);
        data.set(grids.data, start * perFrame);
      }
      return featureGrid(
        frames.length,
        h,
        w,
        info.hidden,
        data,
        frames.map((frame) => frame.pts),
        frames.map((frame) => frame.index),
      );
    },

    async encodeImage(image: RgbImage, encodeOptions: EncodeOptions = {}): Promise<FeatureGrid> {
      const grids = family.imageTokens(await runImages([image], encodeOptions.signal));
      return featureGrid(1, grids.h, grids.w, info.hidden, grids.data, [0], [0]);
    },

    async encodeImageNative(image: RgbImage, encodeOptions: EncodeOptions = {}): Promise<ImageTokens> {
      if (nativeImage === undefined) {
        const grid = family.imageTokens(await runImages([image], encodeOptions.signal));
        return {
          data: grid.data,
          count: grid.h * grid.w,
          dim: info.hidden,
          tiling: singleTile(grid.h * grid.w),
          grid: { h: grid.h, w: grid.w },
        };
      }
      const { images, tiling } = nativeImage.images(image);
      const outputs: Float32Array[] = [];
      let tokens = 0;
      for (let start = 0; start < images.length; start += batchSize) {
        if (encodeOptions.signal?.aborted) throw new AbortedError('encode image');
        const output = await runImages(images.slice(start, start + batchSize), encodeOptions.signal);
        tokens = output.tokens;
        outputs.push(output.data);
      }
      const joined = new Float32Array(outputs.reduce((sum, part) => sum + part.length, 0));
      let offset = 0;
      for (const part of outputs) {
        joined.set(part, offset);
        offset += part.length;
      }
      const data = nativeImage.pack(
        { data: joined, count: images.length, tokens, hidden: info.hidden },
        image.width,
        image.height,
      );
      const count = data.length / info.hidden;
      if (count !== tiling.count)
        throw new RangeError(
          `image path gave ${count} tokens for a ${image.width}x${image.height} image, planned ${tiling.count}`,
        );
      return { data, count, dim: info.hidden, tiling };
    },

    async embedText(text: string): Promise<Float32Array> {
      const ids = tokenizer.encode(text);
      const mean = new Float32Array(info.hidden);
      if (ids.length === 0) return mean;
      const rows = await runner.embed(Int32Array.from(ids));
      for (let row = 0; row < ids.length; row++) {
        for (let d = 0; d < info.hidden; d++) mean[d]! += rows[row * info.hidden + d]!;
      }
      for (let d = 0; d < info.hidden; d++) mean[d]! /= ids.length;
      return mean;
    },

    async dispose(): Promise<void> {
      await options.onDispose?.();
    },
  };
}

/**
 * @file The embedded `pixels` encoder: needs no download and runs anywhere. A frame is resized (area resampling) to
 * the input size and cut into `patch`×`patch` patches; each patch is one token whose vector is the patch's pixels
 * normalised as CLIP does, `(x/255 - mean[c]) / std[c]`, laid out channel-major `(c, y, x)` like a ViT patch-embedding
 * kernel `[3, patch, patch]`. Default 336×336 with patch 14: a 24×24 grid of D = 588 tokens, the geometry of CLIP
 * ViT-L/14@336 that the papers' pooling shapes assume. Because tokens are pixels, pooled or sampled tokens can be
 * turned back into images with `decodePatchTokens`.
 */
import { singleTileGeometry, type EncodeOptions, type VisualEncoder } from '../core/encoder.js';
import { featureGrid, type FeatureGrid } from '../core/feature-grid.js';
import type { RgbImage, VideoFrame } from '../core/frame.js';
import { AbortedError, UsageError } from '../errors/index.js';
import { resizeImageArea } from './resize-image.js';

/** CLIP's per-channel normalisation (openai/clip-vit-large-patch14-336 preprocessor_config.json). */
export const clipMean: readonly [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
export const clipStd: readonly [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

export interface PixelsEncoderOptions {
  /** Square input size in pixels (default 336); must be a multiple of `patch`. */
  readonly size?: number;
  /** Patch side in pixels (default 14). */
  readonly patch?: number;
  readonly mean?: readonly [number, number, number];
  readonly std?: readonly [number, number, number];
}

export interface PixelsEncoder extends VisualEncoder {
  readonly patch: number;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

/** Parses `pixels`, `pixels:224` or `pixels:224/16` (size/patch); throws UsageError naming the spec. */
export function parsePixelsSpec(spec: string): PixelsEncoderOptions {
  const match = /^pixels(?::(\d+)(?:\/(\d+))?)?$/.exec(spec);
  if (match === null)
    throw new UsageError(`encoder '${spec}': expected pixels, pixels:<size> or pixels:<size>/<patch>`);
  return {
    ...(match[1] !== undefined ? { size: Number(match[1]) } : {}),
    ...(match[2] !== undefined ? { patch: Number(match[2]) } : {}),
  };
}

/** Patch tokens of one image already at `size`×`size`, written into `out` at `offset`. */
function patchify(
  image: RgbImage,
  patch: number,
  mean: readonly number[],
  std: readonly number[],
  out: Float32Array,
  offset: number,
): void {
  const gridWidth = image.width / patch;
  const gridHeight = image.height / patch;
  const D = 3 * patch * patch;
  const scale = [1 / (255 * std[0]!), 1 / (255 * std[1]!), 1 / (255 * std[2]!)];
  const shift = [mean[0]! / std[0]!, mean[1]! / std[1]!, mean[2]! / std[2]!];
  for (let gy = 0; gy < gridHeight; gy++) {
    for (let gx = 0; gx < gridWidth; gx++) {
      const token = offset + (gy * gridWidth + gx) * D;
      for (let c = 0; c < 3; c++) {
        const channelScale = scale[c]!;
        const channelShift = shift[c]!;
        const channelBase = token + c * patch * patch;
        for (let y = 0; y < patch; y++) {
          let source = ((gy * patch + y) * image.width + gx * patch) * 3 + c;
          const row = channelBase + y * patch;
          for (let x = 0; x < patch; x++, source += 3) out[row + x] = image.data[source]! * channelScale - channelShift;
        }
      }
    }
  }
}

/** Creates the pixels encoder (`pixels:336/14` by default). */
export function createPixelsEncoder(options: PixelsEncoderOptions = {}): PixelsEncoder {
  const size = options.size ?? 336;
  const patch = options.patch ?? 14;
  const mean = options.mean ?? clipMean;
  const std = options.std ?? clipStd;
  const name = `pixels:${size}/${patch}`;
  if (!Number.isInteger(patch) || patch < 1 || patch > 64)
    throw new UsageError(`encoder '${name}': patch must be an integer from 1 to 64`);
  if (!Number.isInteger(size) || size < patch || size > 2048 || size % patch !== 0) {
    throw new UsageError(`encoder '${name}': size must be a multiple of the patch (${patch}) up to 2048`);
  }
  const side = size / patch;
  const D = 3 * patch * patch;
  const perImage = side * side * D;

  const encodeImages = (
    images: readonly RgbImage[],
    timestamps: number[],
    indices: number[],
    encodeOptions?: EncodeOptions,
  ): FeatureGrid => {
    const data = new Float32Array(images.length * perImage);
    images.forEach((image, t) => {
      if (encodeOptions?.signal?.aborted)
        throw new AbortedError(`encoder ${name}`, { cause: encodeOptions.signal.reason });
      patchify(resizeImageArea(image, size, size), patch, mean, std, data, t * perImage);
    });
    return featureGrid(images.length, side, side, D, data, timestamps, indices);
  };

  return {
    name,
    dim: D,
    inputSize: { width: size, height: size },
    grid: { h: side, w: side },
    geometry: singleTileGeometry(
      { h: side, w: side },
      { width: size, height: size },
      `${name}: ${side}x${side} patches of ${patch} px`,
    ),
    patch,
    mean,
    std,
    async encodeFrames(frames: readonly VideoFrame[], encodeOptions?: EncodeOptions): Promise<FeatureGrid> {
      return encodeImages(
        frames,
        frames.map((frame) => frame.pts),
        frames.map((frame) => frame.index),
        encodeOptions,
      );
    },
    async encodeImage(image: RgbImage, encodeOptions?: EncodeOptions): Promise<FeatureGrid> {
      return encodeImages([image], [0], [0], encodeOptions);
    },
  };
}

export interface DecodePatchOptions {
  /** Patch side the tokens were made with. */
  readonly patch: number;
  /** Grid of the output image in tokens; default the layout of a square-ish grid holding every token. */
  readonly rows?: number;
  readonly columns?: number;
  readonly mean?: readonly [number, number, number];
  readonly std?: readonly [number, number, number];
}

/**
 * Turns pixels-encoder tokens (pooled, sampled or merged) back into an image: token `i` becomes the patch at row
 * `i div columns`, column `i mod columns`; cells without a token stay black. Values are de-normalised, rounded and
 * clamped to 0..255.
 */
export function decodePatchTokens(tokens: Float32Array, options: DecodePatchOptions): RgbImage {
  const { patch } = options;
  const mean = options.mean ?? clipMean;
  const std = options.std ?? clipStd;
  const D = 3 * patch * patch;
  if (tokens.length % D !== 0)
    throw new RangeError(`decodePatchTokens: ${tokens.length} values are not a whole number of ${D}-value tokens`);
  const count = tokens.length / D;
  const columns = options.columns ?? Math.max(1, Math.ceil(Math.sqrt(count)));
  const rows = options.rows ?? Math.max(1, Math.ceil(count / columns));
  if (rows * columns < count)
    throw new RangeError(`decodePatchTokens: a ${rows}x${columns} grid cannot hold ${count} tokens`);
  const width = columns * patch;
  const height = rows * patch;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < count; i++) {
    const gy = Math.floor(i / columns);
    const gx = i % columns;
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < patch; y++) {
        for (let x = 0; x < patch; x++) {
          const value = (tokens[i * D + (c * patch + y) * patch + x]! * std[c]! + mean[c]!) * 255;
          data[((gy * patch + y) * width + gx * patch + x) * 3 + c] = Math.min(255, Math.max(0, Math.round(value)));
        }
      }
    }
  }
  return { width, height, data };
}

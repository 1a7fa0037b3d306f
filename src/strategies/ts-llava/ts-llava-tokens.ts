/**
 * @file TS-LLaVA Thumbnail-and-Sampling: a thumbnail image of k frames in a grid plus tokens sampled uniformly over
 * the flattened `(frame, token)` sequence of all frames.
 *
 * Reference: tingyu215/TS-LLaVA@03cdeaee4a7d25cd91d6e2aff840a8ffb9bf52ab, `llava/model/llava_arch.py`
 * (`uniformly_sample_frames`, `find_best_grid`, `resize_images`, `create_image_grid`, `sample_tokens`,
 * `LlavaMetaForCausalLM.grid_aggregation`). Default V2: T = 50 frames, 6-frame 3x2 thumbnail (frames
 * `round(torch.linspace(0, T-1, 6))`, cells `F.interpolate(mode='area')` to (H div rows, W div cols), row-major),
 * 2880 sampled tokens at `round(torch.linspace(0, T*P-1, 2880))`; order sampled then thumbnail (V*), or thumbnail
 * first (Y*). Token count `count + P` (3456 for P = 576).
 *
 * Deviations: TS-LLaVA builds the thumbnail in normalised pixel space from 336x336 squashed frames; the product path
 * area-resamples the decoded RGB frames straight into the cells of an `outputSize` image (area averaging commutes
 * with the per-channel normalisation, so this differs only by 8-bit quantisation and by skipping the intermediate
 * squash). Cells are always area-resampled; TS-LLaVA switches to bilinear when a cell is larger than the frame.
 */
import type { FeatureGrid } from '../../core/feature-grid.js';
import type { RgbImage } from '../../core/frame.js';
import { StrategyInputError } from '../../errors/index.js';
import { roundHalfEven } from '../../numeric/rounding.js';
import { torchLinspaceF32 } from '../../numeric/rounding.js';
import { torchLinspaceRoundIndices } from '../../tensor/torch-linspace.js';
import { areaResampleImage, interleavedView, planarView, regionView } from '../../tensor/image-area-resample.js';
import { isPlanarFrames, requirePlanarFrames, type PlanarFrames, type PlanarImage } from '../planar-frames.js';
import { requireGrid, requireInteger } from '../strategy-input.js';

export const tsLlavaDefaults = { frames: 50, sampledTokens: 2880, thumbnailFrames: 6 };

export interface TsLlavaSampleResult {
  /** Flattened `(t, p)` positions that were sampled, ascending. */
  readonly indices: number[];
  /** `[count, D]` sampled tokens. */
  readonly tokens: Float32Array;
  readonly count: number;
  readonly dim: number;
  /** Position in the grid of the frame each token comes from. */
  readonly tokenFrames: number[];
  /** Timestamp of each token's frame. */
  readonly tokenTimestamps: number[];
  /** Source frame index of each token's frame. */
  readonly tokenFrameIndices: number[];
  /** Distinct frames that contributed tokens (ascending), for segment metadata. */
  readonly timestamps: number[];
  readonly frameIndices: number[];
}

/** `sample_tokens`: `count` tokens at round-half-even float32 linspace positions over the flattened `T*h*w` tokens. */
export function tsLlavaSample(grid: FeatureGrid, count: number = tsLlavaDefaults.sampledTokens): TsLlavaSampleResult {
  requireGrid('ts-llava', grid);
  requireInteger('ts-llava', 'sampled token count', count);
  const P = grid.h * grid.w;
  const total = grid.T * P;
  if (count > total)
    throw new StrategyInputError('ts-llava', `cannot sample ${count} tokens from ${total} (T=${grid.T}, P=${P})`);
  const D = grid.D;
  const positions = torchLinspaceF32(0, total - 1, count);
  const indices: number[] = new Array(count);
  const tokens = new Float32Array(count * D);
  const tokenFrames: number[] = new Array(count);
  const tokenTimestamps: number[] = new Array(count);
  const tokenFrameIndices: number[] = new Array(count);
  const timestamps: number[] = [];
  const sourceIndices: number[] = [];
  for (let i = 0; i < count; i++) {
    const index = Math.min(total - 1, Math.max(0, roundHalfEven(positions[i]!)));
    indices[i] = index;
    tokens.set(grid.data.subarray(index * D, index * D + D), i * D);
    const t = Math.floor(index / P);
    tokenFrames[i] = t;
    tokenTimestamps[i] = grid.timestamps[t]!;
    tokenFrameIndices[i] = grid.frameIndices[t]!;
    if (i === 0 || tokenFrames[i - 1] !== t) {
      timestamps.push(grid.timestamps[t]!);
      sourceIndices.push(grid.frameIndices[t]!);
    }
  }
  return {
    indices,
    tokens,
    count,
    dim: D,
    tokenFrames,
    tokenTimestamps,
    tokenFrameIndices,
    timestamps,
    frameIndices: sourceIndices,
  };
}

/** `find_best_grid(k)`: the factor pair `rows x cols = k` with the smallest difference, rows >= cols. */
export function bestThumbnailGrid(k: number): { rows: number; cols: number } {
  requireInteger('ts-llava', 'thumbnail frames', k);
  let cols = 1;
  for (let c = 1; c * c <= k; c++) if (k % c === 0) cols = c;
  return { rows: k / cols, cols };
}

/** Size of the thumbnail of `k` frames for frames of `width` x `height`: whole cells of `(H div rows) x (W div cols)`. */
export function tsLlavaThumbnailSize(
  width: number,
  height: number,
  k: number = tsLlavaDefaults.thumbnailFrames,
): { width: number; height: number } {
  const { rows, cols } = bestThumbnailGrid(k);
  return { width: Math.floor(width / cols) * cols, height: Math.floor(height / rows) * rows };
}

export interface ThumbnailResult<Image> {
  /** Positions of the chosen frames in the input. */
  readonly indices: number[];
  readonly rows: number;
  readonly cols: number;
  readonly image: Image;
}

/** Output size of the thumbnail image; defaults to the frame size. */
export interface ThumbnailSize {
  readonly width: number;
  readonly height: number;
}

/**
 * Composes the thumbnail: `k` frames chosen by `torch_linspace_round`, each area-resampled to a
 * `(height div rows) x (width div cols)` cell, tiled row-major. Planar float frames give a planar float image
 * `[C, rows*ch, cols*cw]` (the reference layout); RGB frames give an RGB image.
 */
export function tsLlavaThumbnail(
  frames: PlanarFrames,
  k?: number,
  outputSize?: ThumbnailSize,
): ThumbnailResult<PlanarImage>;
export function tsLlavaThumbnail(
  frames: readonly RgbImage[],
  k?: number,
  outputSize?: ThumbnailSize,
): ThumbnailResult<RgbImage>;
export function tsLlavaThumbnail(
  frames: PlanarFrames | readonly RgbImage[],
  k: number = tsLlavaDefaults.thumbnailFrames,
  outputSize?: ThumbnailSize,
): ThumbnailResult<PlanarImage> | ThumbnailResult<RgbImage> {
  const { rows, cols } = bestThumbnailGrid(k);
  if (isPlanarFrames(frames)) {
    requirePlanarFrames('ts-llava', frames);
    const { T, channels, height, width } = frames;
    if (T < k) throw new StrategyInputError('ts-llava', `thumbnail needs at least ${k} frames, got ${T}`);
    const { cellW, cellH, indices, outW, outH } = thumbnailLayout(T, k, outputSize ?? { width, height }, rows, cols);
    const data = new Float32Array(channels * outH * outW);
    const target = planarView(data, outW, outH, channels);
    indices.forEach((t, n) => {
      const source = planarView(frames.data, width, height, channels, t * channels * height * width);
      areaResampleImage(source, regionView(target, (n % cols) * cellW, Math.floor(n / cols) * cellH, cellW, cellH));
    });
    return { indices, rows, cols, image: { channels, height: outH, width: outW, data } };
  }
  const T = frames.length;
  if (T < k) throw new StrategyInputError('ts-llava', `thumbnail needs at least ${k} frames, got ${T}`);
  const first = frames[0]!;
  const { cellW, cellH, indices, outW, outH } = thumbnailLayout(
    T,
    k,
    outputSize ?? { width: first.width, height: first.height },
    rows,
    cols,
  );
  const data = new Uint8Array(outW * outH * 3);
  const target = interleavedView(data, outW, outH);
  indices.forEach((t, n) => {
    const frame = frames[t]!;
    if (frame.data.length !== frame.width * frame.height * 3) {
      throw new StrategyInputError('ts-llava', `frame ${t} is not ${frame.width}x${frame.height} RGB`);
    }
    const source = interleavedView(frame.data, frame.width, frame.height);
    areaResampleImage(source, regionView(target, (n % cols) * cellW, Math.floor(n / cols) * cellH, cellW, cellH));
  });
  return { indices, rows, cols, image: { width: outW, height: outH, data } };
}

/** Cell size, chosen frames and output size of a `rows x cols` thumbnail of `size` from `T` frames. */
function thumbnailLayout(
  T: number,
  k: number,
  size: ThumbnailSize,
  rows: number,
  cols: number,
): { cellW: number; cellH: number; indices: number[]; outW: number; outH: number } {
  const cellH = Math.floor(size.height / rows);
  const cellW = Math.floor(size.width / cols);
  if (cellW < 1 || cellH < 1) {
    throw new StrategyInputError(
      'ts-llava',
      `a ${size.width}x${size.height} thumbnail cannot hold ${rows}x${cols} cells`,
    );
  }
  return { cellW, cellH, indices: torchLinspaceRoundIndices(T, k), outW: cellW * cols, outH: cellH * rows };
}

/** TS-LLaVA variant ordering: `sampled-first` (V*, the default) or `thumbnail-first` (Y*). */
export type TsLlavaOrder = 'sampled-first' | 'thumbnail-first';

/** Orders the sampled and thumbnail parts as the variant does. */
export function tsLlavaArrange<Part>(
  sampled: Part,
  thumbnail: Part,
  order: TsLlavaOrder = 'sampled-first',
): [Part, Part] {
  return order === 'thumbnail-first' ? [thumbnail, sampled] : [sampled, thumbnail];
}

/**
 * @file LLaVA-OneVision's high-resolution image path, "anyres_max_9" (transformers `LlavaOnevisionImageProcessor`
 * and `LlavaOnevisionModel.pack_image_features`): the best resolution among `image_grid_pinpoints` is chosen
 * (`select_best_resolution`: most effective pixels, then least waste), the image is resized into it keeping its
 * aspect and padded (black, centred), cut into 384-pixel tiles; a base image squashed to 384x384 goes first. The
 * tiles' 27x27 features are joined into one `[rows*27, cols*27]` grid, the padding is cropped (`unpad_image`), and
 * when the grid is larger than `maxTiles` tiles' worth (ratio > 1.1) it is bilinearly resized down. The reference
 * then appends the learned `image_newline` after every row; vidtok does so when the model folder provides that
 * vector, and otherwise leaves it out (a documented deviation: `newlineRows` counts it only when present).
 */
import type { ImageTiling } from '../../core/encoder.js';
import type { RgbImage } from '../../core/frame.js';
import { resizeImageArea } from '../../encoders/resize-image.js';
import { bilinearResample } from '../../tensor/bilinear-resample.js';

export interface AnyresSettings {
  /** Candidate resolutions `[height, width]`. */
  readonly pinpoints: readonly (readonly [number, number])[];
  readonly tileSize: number;
  /** Side of one tile's token grid (27). */
  readonly tileSide: number;
  readonly maxTiles: number;
  /** True when a learned image_newline vector is appended after each row. */
  readonly newline: boolean;
}

/** `select_best_resolution` over `[height, width]` pinpoints. */
export function selectBestResolution(
  height: number,
  width: number,
  pinpoints: readonly (readonly [number, number])[],
): [number, number] {
  let best: [number, number] = [pinpoints[0]![0], pinpoints[0]![1]];
  let bestEffective = 0;
  let leastWasted = Number.POSITIVE_INFINITY;
  for (const [h, w] of pinpoints) {
    const scale = Math.min(w / width, h / height);
    const downWidth = Math.trunc(width * scale);
    const downHeight = Math.trunc(height * scale);
    const effective = Math.min(downWidth * downHeight, width * height);
    const wasted = w * h - effective;
    if (effective > bestEffective || (effective === bestEffective && wasted < leastWasted)) {
      bestEffective = effective;
      leastWasted = wasted;
      best = [h, w];
    }
  }
  return best;
}

/** Python's `round(x, 7)` for the values unpad uses (positive, far from ties at the 7th digit). */
const round7 = (value: number): number => Math.round(value * 1e7) / 1e7;

interface AnyresLayout {
  readonly rows: number;
  readonly cols: number;
  /** Unpadded grid before the max-tiles resize, offsets of the crop. */
  readonly cropTop: number;
  readonly cropLeft: number;
  readonly unpaddedHeight: number;
  readonly unpaddedWidth: number;
  /** Final grid after the optional resize. */
  readonly height: number;
  readonly width: number;
}

function anyresLayout(width: number, height: number, settings: AnyresSettings): AnyresLayout {
  const [bestHeight, bestWidth] = selectBestResolution(height, width, settings.pinpoints);
  const rows = Math.trunc(bestHeight / settings.tileSize);
  const cols = Math.trunc(bestWidth / settings.tileSize);
  const gridHeight = rows * settings.tileSide;
  const gridWidth = cols * settings.tileSide;
  let cropTop = 0;
  let cropLeft = 0;
  let unpaddedHeight = gridHeight;
  let unpaddedWidth = gridWidth;
  if (width / height > gridWidth / gridHeight) {
    const newHeight = Math.trunc(round7(height * (gridWidth / width)));
    cropTop = Math.trunc((gridHeight - newHeight) / 2);
    unpaddedHeight = gridHeight - 2 * cropTop;
  } else {
    const newWidth = Math.trunc(round7(width * (gridHeight / height)));
    cropLeft = Math.trunc((gridWidth - newWidth) / 2);
    unpaddedWidth = gridWidth - 2 * cropLeft;
  }
  let finalHeight = unpaddedHeight;
  let finalWidth = unpaddedWidth;
  const ratio = Math.sqrt(
    (unpaddedHeight * unpaddedWidth) / (settings.maxTiles * settings.tileSide * settings.tileSide),
  );
  if (ratio > 1.1) {
    finalHeight = Math.trunc(Math.floor(unpaddedHeight / ratio));
    finalWidth = Math.trunc(Math.floor(unpaddedWidth / ratio));
  }
  return { rows, cols, cropTop, cropLeft, unpaddedHeight, unpaddedWidth, height: finalHeight, width: finalWidth };
}

/** Tiling and token count of a `width` x `height` image: base tile first, then the packed high-resolution grid. */
export function anyresTiling(width: number, height: number, settings: AnyresSettings): ImageTiling {
  const layout = anyresLayout(width, height, settings);
  const baseTokens = settings.tileSide * settings.tileSide;
  const packed = layout.height * (layout.width + (settings.newline ? 1 : 0));
  return {
    rows: layout.rows,
    cols: layout.cols,
    tokensPerTile: baseTokens,
    globalTokens: baseTokens,
    count: baseTokens + packed,
  };
}

/** The images the vision encoder receives: the base image, then the tiles of the padded resize, row-major. */
export function anyresImages(image: RgbImage, settings: AnyresSettings): { images: RgbImage[]; tiling: ImageTiling } {
  const [bestHeight, bestWidth] = selectBestResolution(image.height, image.width, settings.pinpoints);
  const scaleWidth = bestWidth / image.width;
  const scaleHeight = bestHeight / image.height;
  let newWidth: number;
  let newHeight: number;
  if (scaleWidth < scaleHeight) {
    newWidth = bestWidth;
    newHeight = Math.min(Math.ceil(image.height * scaleWidth), bestHeight);
  } else {
    newHeight = bestHeight;
    newWidth = Math.min(Math.ceil(image.width * scaleHeight), bestWidth);
  }
  const resized = resizeImageArea(image, newWidth, newHeight);
  const padded = new Uint8Array(bestWidth * bestHeight * 3);
  const left = Math.trunc((bestWidth - newWidth) / 2);
  const top = Math.trunc((bestHeight - newHeight) / 2);
  for (let y = 0; y < newHeight; y++) {
    padded.set(resized.data.subarray(y * newWidth * 3, (y + 1) * newWidth * 3), ((top + y) * bestWidth + left) * 3);
  }
  const images: RgbImage[] = [resizeImageArea(image, settings.tileSize, settings.tileSize)];
  const tile = settings.tileSize;
  for (let r = 0; r < bestHeight / tile; r++) {
    for (let c = 0; c < bestWidth / tile; c++) {
      const data = new Uint8Array(tile * tile * 3);
      for (let y = 0; y < tile; y++) {
        const from = ((r * tile + y) * bestWidth + c * tile) * 3;
        data.set(padded.subarray(from, from + tile * 3), y * tile * 3);
      }
      images.push({ width: tile, height: tile, data });
    }
  }
  return { images, tiling: anyresTiling(image.width, image.height, settings) };
}

/**
 * Packs the encoder output of `anyresImages` (`[1 + rows*cols, side*side, D]`) into the token rows the model
 * receives: base tile, then the unpadded (and possibly resized) grid row by row, each row followed by `newline`.
 */
export function packAnyresFeatures(
  features: Float32Array,
  dim: number,
  width: number,
  height: number,
  settings: AnyresSettings,
  newline?: Float32Array,
): Float32Array {
  const layout = anyresLayout(width, height, settings);
  const side = settings.tileSide;
  const perTile = side * side * dim;
  // Joined grid [rows*side, cols*side, D], cropped to the unpadded window.
  const cropped = new Float32Array(layout.unpaddedHeight * layout.unpaddedWidth * dim);
  for (let y = 0; y < layout.unpaddedHeight; y++) {
    const gy = y + layout.cropTop;
    const tileRow = Math.trunc(gy / side);
    for (let x = 0; x < layout.unpaddedWidth; x++) {
      const gx = x + layout.cropLeft;
      const tileIndex = 1 + tileRow * layout.cols + Math.trunc(gx / side);
      const from = tileIndex * perTile + ((gy % side) * side + (gx % side)) * dim;
      cropped.set(features.subarray(from, from + dim), (y * layout.unpaddedWidth + x) * dim);
    }
  }
  const grid =
    layout.height === layout.unpaddedHeight && layout.width === layout.unpaddedWidth
      ? cropped
      : bilinearResample(cropped, [1, layout.unpaddedHeight, layout.unpaddedWidth, dim], [layout.height, layout.width]);
  const withNewline = settings.newline && newline !== undefined;
  const rowLength = layout.width + (withNewline ? 1 : 0);
  const out = new Float32Array((side * side + layout.height * rowLength) * dim);
  out.set(features.subarray(0, perTile), 0);
  let at = perTile;
  for (let y = 0; y < layout.height; y++) {
    out.set(grid.subarray(y * layout.width * dim, (y + 1) * layout.width * dim), at);
    at += layout.width * dim;
    if (withNewline) {
      out.set(newline, at);
      at += dim;
    }
  }
  return out;
}

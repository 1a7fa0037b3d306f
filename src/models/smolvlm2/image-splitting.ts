/**
 * @file SmolVLM2's high-resolution image path (transformers `image_processing_smolvlm.py` / transformers.js
 * `image_processing_idefics3.js`): the image is resized so its longest edge is `size.longest_edge` (2048, which
 * up-scales small images; the other side rounded up to even), each side is then rounded up to a multiple of the
 * tile size (512) keeping the aspect, the result is cut into `ceil(h/512) x ceil(w/512)` tiles in row-major order,
 * and the whole image squashed to 512x512 is appended as the global image. An image that fits one tile is not split.
 * Deviation: resampling uses area averaging (and its blended up-sampling) instead of PIL's LANCZOS.
 */
import type { ImageTiling } from '../../core/encoder.js';
import type { RgbImage } from '../../core/frame.js';
import { resizeImageArea } from '../../encoders/resize-image.js';

export interface SplitSettings {
  readonly longestEdge: number;
  readonly tileSize: number;
  /** Tokens per tile (and per global image). */
  readonly tileTokens: number;
}

/** `resize_output_size_rescale_to_max_len`: longest edge to `maxLength`, the other side even. */
function rescaleToMaxLength(width: number, height: number, maxLength: number): { width: number; height: number } {
  const aspect = width / height;
  let w: number;
  let h: number;
  if (width >= height) {
    w = maxLength;
    h = Math.trunc(w / aspect);
    if (h % 2 !== 0) h += 1;
  } else {
    h = maxLength;
    w = Math.trunc(h * aspect);
    if (w % 2 !== 0) w += 1;
  }
  return { width: Math.max(1, w), height: Math.max(1, h) };
}

/** `resize_for_vision_encoder`: both sides up to multiples of the tile size, aspect kept from the longer side. */
function roundUpToTiles(width: number, height: number, tile: number): { width: number; height: number } {
  const aspect = width / height;
  if (width >= height) {
    const w = Math.ceil(width / tile) * tile;
    const h = Math.ceil(Math.trunc(w / aspect) / tile) * tile;
    return { width: w, height: Math.max(tile, h) };
  }
  const h = Math.ceil(height / tile) * tile;
  const w = Math.ceil(Math.trunc(h * aspect) / tile) * tile;
  return { width: Math.max(tile, w), height: h };
}

/** The size the image is resized to before splitting, and the tile grid. */
export function smolvlm2SplitLayout(
  width: number,
  height: number,
  settings: SplitSettings,
): { width: number; height: number; rows: number; cols: number } {
  const scaled = rescaleToMaxLength(width, height, settings.longestEdge);
  const tiled = roundUpToTiles(scaled.width, scaled.height, settings.tileSize);
  if (tiled.width <= settings.tileSize && tiled.height <= settings.tileSize) return { ...tiled, rows: 0, cols: 0 };
  return {
    ...tiled,
    rows: Math.ceil(tiled.height / settings.tileSize),
    cols: Math.ceil(tiled.width / settings.tileSize),
  };
}

/** Tiles and token count of a `width` x `height` image. */
export function smolvlm2SplitTiling(width: number, height: number, settings: SplitSettings): ImageTiling {
  const { rows, cols } = smolvlm2SplitLayout(width, height, settings);
  const tokensPerTile = rows * cols > 0 ? settings.tileTokens : 0;
  return {
    rows,
    cols,
    tokensPerTile,
    globalTokens: settings.tileTokens,
    count: rows * cols * tokensPerTile + settings.tileTokens,
  };
}

function crop(image: RgbImage, x: number, y: number, width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * image.width + x) * 3;
    data.set(image.data.subarray(from, from + width * 3), row * width * 3);
  }
  return { width, height, data };
}

/** The images the vision encoder receives for `image`: tiles row-major, then the global image (each tile-sized). */
export function smolvlm2SplitImages(
  image: RgbImage,
  settings: SplitSettings,
): { images: RgbImage[]; tiling: ImageTiling } {
  const layout = smolvlm2SplitLayout(image.width, image.height, settings);
  const tiling = smolvlm2SplitTiling(image.width, image.height, settings);
  const globalImage = resizeImageArea(image, settings.tileSize, settings.tileSize);
  if (layout.rows === 0) return { images: [globalImage], tiling };
  const resized = resizeImageArea(image, layout.width, layout.height);
  const tileHeight = Math.ceil(layout.height / layout.rows);
  const tileWidth = Math.ceil(layout.width / layout.cols);
  const images: RgbImage[] = [];
  for (let r = 0; r < layout.rows; r++) {
    for (let c = 0; c < layout.cols; c++) {
      const x = c * tileWidth;
      const y = r * tileHeight;
      images.push(crop(resized, x, y, Math.min(tileWidth, layout.width - x), Math.min(tileHeight, layout.height - y)));
    }
  }
  images.push(globalImage);
  return { images, tiling };
}

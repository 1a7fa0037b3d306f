/**
 * @file The visual encoder contract: frames in, per-frame tokens `[T, h, w, D]` out. The embedded `pixels` encoder
 * and the ONNX model encoders both implement it, so every pipeline runs on either. An encoder also describes its
 * geometry (`EncoderGeometry`): the token grid of a video frame, the frame size it wants, and what its single-image
 * path spends on one image (one base tile, or the model's own high-resolution tiling). The stage graph resolves every
 * strategy's parameters against that description before the first frame is decoded.
 */
import type { FeatureGrid } from './feature-grid.js';
import type { RgbImage, VideoFrame } from './frame.js';

/** How one image of a given size is tiled by an encoder's image path, and the tokens it costs. */
export interface ImageTiling {
  /** Tiles in the high-resolution part (0 x 0 when the image goes through as one base tile). */
  readonly rows: number;
  readonly cols: number;
  /** Tokens per high-resolution tile, after the family's own reductions; 0 without tiles. */
  readonly tokensPerTile: number;
  /** Tokens of the global (base) image. */
  readonly globalTokens: number;
  /** Total tokens of the image (`rows * cols * tokensPerTile + globalTokens`, plus any family-specific rows). */
  readonly count: number;
}

/** How a composed image (IG-VLM grid, TS-LLaVA thumbnail) goes through the encoder. */
export type ImageMode =
  /** Squashed into one base tile: `tileTokens` tokens (TS-LLaVA's thumbnail). */
  | 'tile'
  /** The model's own high-resolution path at the image's native size (SmolVLM2 splitting, LLaVA-OneVision anyres). */
  | 'native';

/** What an encoder does with frames and images, as numbers a pipeline can be planned with. */
export interface EncoderGeometry {
  /** Token grid of one video frame (after the family's own video pooling). */
  readonly frameGrid: { readonly h: number; readonly w: number };
  /** `frameGrid.h * frameGrid.w`. */
  readonly tokensPerFrame: number;
  /** Frame size the encoder wants (the frame source fits frames to it when extracting). */
  readonly inputSize: { readonly width: number; readonly height: number };
  /** Token grid of one image sent as a single base tile (no video pooling: LLaVA-OneVision 27x27). */
  readonly tileGrid: { readonly h: number; readonly w: number };
  /** `tileGrid.h * tileGrid.w`. */
  readonly tileTokens: number;
  /** The image path's tiling scheme: `none` (one tile), `split` (SmolVLM2), `anyres` (LLaVA-OneVision). */
  readonly imageTiling: 'none' | 'split' | 'anyres';
  /** Largest token count of one image through the `native` path (any size). */
  readonly maxImageTokens: number;
  /** Tiling and token count of a `width` x `height` image through `mode`. */
  imageTokens(width: number, height: number, mode: ImageMode): ImageTiling;
  /** Where the numbers come from (config files read, or `built in`), for metadata and `tokens --json`. */
  readonly source: string;
}

export interface EncodeOptions {
  readonly signal?: AbortSignal;
}

/** The tokens of one image: `[count, D]` in the family's order, with its tiling. */
export interface ImageTokens {
  readonly data: Float32Array;
  readonly count: number;
  readonly dim: number;
  readonly tiling: ImageTiling;
  /** Set when the tokens form one `h x w` grid (a single base tile). */
  readonly grid?: { readonly h: number; readonly w: number };
}

export interface VisualEncoder {
  /** Short name used in metadata and on the command line (`pixels`, `smolvlm2-256m`...). */
  readonly name: string;
  /** Token dimension D. */
  readonly dim: number;
  /** Frame size the encoder wants; the frame source resizes to it when extracting (= geometry.inputSize). */
  readonly inputSize: { readonly width: number; readonly height: number };
  /** Token grid per frame (= geometry.frameGrid). */
  readonly grid: { readonly h: number; readonly w: number };
  /** What the encoder does with frames and images; absent: one square tile of `grid` (see `geometryOf`). */
  readonly geometry?: EncoderGeometry;
  /** Encodes frames (any size: the encoder resizes what is not already `inputSize`). */
  encodeFrames(frames: readonly VideoFrame[], options?: EncodeOptions): Promise<FeatureGrid>;
  /** Encodes one composed image (thumbnail or grid) as a single base tile: `[1, tileGrid.h, tileGrid.w, D]`. */
  encodeImage(image: RgbImage, options?: EncodeOptions): Promise<FeatureGrid>;
  /**
   * Encodes one image through the model's high-resolution path at its native size (geometry.imageTokens(w, h,
   * 'native') tells the count beforehand). Absent when the image path has no tiling (`imageTiling: 'none'`), where
   * `encodeImage` is the native path.
   */
  encodeImageNative?(image: RgbImage, options?: EncodeOptions): Promise<ImageTokens>;
  /** Token embedding of text, when the encoder lives in a language model's space (used by B-VLLM's question score). */
  embedText?(text: string): Promise<Float32Array>;
  dispose?(): Promise<void>;
}

/** A single-tile tiling of `tokens` tokens. */
export function singleTile(tokens: number): ImageTiling {
  return { rows: 0, cols: 0, tokensPerTile: 0, globalTokens: tokens, count: tokens };
}

/** Geometry of an encoder whose image path is always one square tile of the frame grid (the pixels encoder). */
export function singleTileGeometry(
  grid: { h: number; w: number },
  inputSize: { width: number; height: number },
  source: string,
): EncoderGeometry {
  const tokens = grid.h * grid.w;
  return {
    frameGrid: grid,
    tokensPerFrame: tokens,
    inputSize,
    tileGrid: grid,
    tileTokens: tokens,
    imageTiling: 'none',
    maxImageTokens: tokens,
    imageTokens: () => singleTile(tokens),
    source,
  };
}

/** The geometry of an encoder: its own description, or a single tile of its frame grid when it gives none. */
export function geometryOf(encoder: Pick<VisualEncoder, 'name' | 'grid' | 'inputSize' | 'geometry'>): EncoderGeometry {
  return (
    encoder.geometry ?? singleTileGeometry(encoder.grid, encoder.inputSize, `${encoder.name}: grid and input size only`)
  );
}

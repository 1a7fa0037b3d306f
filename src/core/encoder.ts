/**
 * @file The visual encoder contract: frames in, per-frame tokens `[T, h, w, D]` out. The embedded `pixels` encoder
 * and the ONNX model encoders both implement it, so every pipeline runs on either.
 */
import type { FeatureGrid } from './feature-grid.js';
import type { RgbImage, VideoFrame } from './frame.js';

export interface EncodeOptions {
  readonly signal?: AbortSignal;
}

export interface VisualEncoder {
  /** Short name used in metadata and on the command line (`pixels`, `smolvlm2-256m`...). */
  readonly name: string;
  /** Token dimension D. */
  readonly dim: number;
  /** Frame size the encoder wants; the frame source resizes to it when extracting. */
  readonly inputSize: { readonly width: number; readonly height: number };
  /** Token grid per frame. */
  readonly grid: { readonly h: number; readonly w: number };
  /** Encodes frames (any size: the encoder resizes what is not already `inputSize`). */
  encodeFrames(frames: readonly VideoFrame[], options?: EncodeOptions): Promise<FeatureGrid>;
  /** Encodes one composed image (thumbnail or grid) through the model's single-image path. T = 1. */
  encodeImage(image: RgbImage, options?: EncodeOptions): Promise<FeatureGrid>;
  /** Token embedding of text, when the encoder lives in a language model's space (used by B-VLLM's question score). */
  embedText?(text: string): Promise<Float32Array>;
  dispose?(): Promise<void>;
}

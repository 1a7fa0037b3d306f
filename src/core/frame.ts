/**
 * @file Decoded frames and images as they travel between stages. Pixels are interleaved RGB (HWC), row-major, no
 * padding: `data[(y * width + x) * 3 + c]`.
 */

/** An RGB image: a frame, a thumbnail, or an image grid built from frames. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** Interleaved RGB24, length `width * height * 3`. */
  readonly data: Uint8Array;
}

/** One decoded video frame with where it came from. */
export interface VideoFrame extends RgbImage {
  /** Presentation timestamp in seconds, from the stream's pts (correct for variable frame rate). */
  readonly pts: number;
  /** Index of the frame in the source stream, 0-based, in presentation order. */
  readonly index: number;
}

/** Frames in presentation order plus the source they came from. */
export interface FrameBatch {
  readonly source: string;
  readonly frames: readonly VideoFrame[];
  /** Duration of the source in seconds, when known. */
  readonly duration?: number;
  /** Total number of frames in the source, when known. */
  readonly totalFrames?: number;
}

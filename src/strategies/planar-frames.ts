/**
 * @file Planar float frames `[T, C, H, W]` (the layout of the reference vectors and of normalised pixel tensors),
 * accepted by the image-composing strategies next to interleaved RGB frames.
 */
import { StrategyInputError } from '../errors/index.js';

export interface PlanarFrames {
  readonly T: number;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  /** `T*C*H*W` values; element `[t, c, y, x]` is at `((t*C + c)*H + y)*W + x`. */
  readonly data: Float32Array;
}

/** A planar float image `[C, H, W]`. */
export interface PlanarImage {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly data: Float32Array;
}

/** Throws unless the planar frames' buffer length matches their shape. */
export function requirePlanarFrames(strategy: string, frames: PlanarFrames): void {
  const { T, channels, height, width, data } = frames;
  if (!(T >= 1 && channels >= 1 && height >= 1 && width >= 1) || data.length !== T * channels * height * width) {
    throw new StrategyInputError(
      strategy,
      `planar frames [${T},${channels},${height},${width}] have ${data.length} values`,
    );
  }
}

/** True when `value` is planar frames rather than an array of RGB images. */
export function isPlanarFrames(value: unknown): value is PlanarFrames {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    (value as PlanarFrames).data instanceof Float32Array
  );
}

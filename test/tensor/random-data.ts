/**
 * @file Deterministic pseudo-random test data for the tensor and strategy tests (a small xorshift generator, so
 * every run sees the same values).
 */
import { featureGrid, type FeatureGrid } from '../../src/core/feature-grid.js';

/** Uniform values in [-1, 1) from `seed`. */
export function randomArray(length: number, seed: number): Float32Array {
  let state = (seed * 2654435761) >>> 0 || 1;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out[i] = state / 2147483648 - 1;
  }
  return out;
}

/** A random grid whose frame timestamps are `t / 2` seconds and source indices `10 * t`. */
export function randomGrid(T: number, h: number, w: number, D: number, seed: number): FeatureGrid {
  return featureGrid(
    T,
    h,
    w,
    D,
    randomArray(T * h * w * D, seed),
    Array.from({ length: T }, (_, t) => t / 2),
    Array.from({ length: T }, (_, t) => 10 * t),
  );
}

/**
 * @file `selectGridFrames`: the frames of a feature grid at given positions, in the order given, with their
 * timestamps and source frame indices (SceneTilling's scene slices, B-VLLM's kept frames).
 */
import { featureGrid, type FeatureGrid } from '../core/feature-grid.js';

/** A new grid of the frames at `positions` (positions along T; repeats allowed). */
export function selectGridFrames(grid: FeatureGrid, positions: readonly number[]): FeatureGrid {
  const size = grid.h * grid.w * grid.D;
  const data = new Float32Array(positions.length * size);
  positions.forEach((t, n) => data.set(grid.data.subarray(t * size, (t + 1) * size), n * size));
  return featureGrid(
    positions.length,
    grid.h,
    grid.w,
    grid.D,
    data,
    positions.map((t) => grid.timestamps[t]!),
    positions.map((t) => grid.frameIndices[t]!),
  );
}

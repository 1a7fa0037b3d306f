/**
 * @file Shared argument checks and frame-metadata helpers of the strategies: every bad parameter becomes a
 * StrategyInputError naming the strategy and the value, and pooled frames inherit the timestamp and source index of
 * the first input frame of their temporal window.
 */
import { StrategyInputError } from '../errors/index.js';
import type { FeatureGrid } from '../core/feature-grid.js';
import type { PoolWindows } from '../tensor/pooling-windows.js';

/** Throws unless `value` is an integer `>= minimum`. */
export function requireInteger(strategy: string, name: string, value: number, minimum = 1): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new StrategyInputError(strategy, `${name} must be an integer >= ${minimum}, got ${value}`);
  }
}

/** Throws unless the grid is non-empty and its buffer length agrees with its shape. */
export function requireGrid(strategy: string, grid: FeatureGrid): void {
  const { T, h, w, D } = grid;
  if (!(T >= 1 && h >= 1 && w >= 1 && D >= 1))
    throw new StrategyInputError(strategy, `empty feature grid [${T},${h},${w},${D}]`);
  if (grid.data.length !== T * h * w * D) {
    throw new StrategyInputError(strategy, `feature grid [${T},${h},${w},${D}] has ${grid.data.length} values`);
  }
}

/** Timestamps and source indices of pooled frames: each takes those of the first frame of its window. */
export function windowFrameMetadata(
  grid: Pick<FeatureGrid, 'timestamps' | 'frameIndices'>,
  windows: PoolWindows,
): { timestamps: number[]; frameIndices: number[] } {
  const timestamps: number[] = [];
  const frameIndices: number[] = [];
  for (let i = 0; i < windows.count; i++) {
    const first = windows.start[i]!;
    timestamps.push(grid.timestamps[first]!);
    frameIndices.push(grid.frameIndices[first]!);
  }
  return { timestamps, frameIndices };
}

/** Timestamps and source indices of the frames at `positions`. */
export function pickFrameMetadata(
  grid: Pick<FeatureGrid, 'timestamps' | 'frameIndices'>,
  positions: readonly number[],
): { timestamps: number[]; frameIndices: number[] } {
  return {
    timestamps: positions.map((p) => grid.timestamps[p]!),
    frameIndices: positions.map((p) => grid.frameIndices[p]!),
  };
}

/**
 * @file The `spatial-pool` stage: every frame of a feature grid resampled to `[h', w']`, `area` (adaptive average) or
 * `bilinear` (LLaVA-OneVision's per-frame video pooling). Wraps `spatialPool` from src/strategies.
 */
import { spatialPool, type SpatialPoolMode } from '../../strategies/spatial-pool.js';
import { defineStage, integerTupleSchema } from '../define-stage.js';
import type { StageDescriptor } from '../stage.js';

export interface SpatialPoolParams {
  readonly grid: readonly [number, number];
  readonly mode: SpatialPoolMode;
}

export const spatialPoolStage: StageDescriptor<SpatialPoolParams> = defineStage({
  name: 'spatial-pool',
  version: 1,
  description: "Resamples every frame's token grid to [h, w] (area or bilinear).",
  input: 'features',
  output: 'features',
  properties: { grid: integerTupleSchema(2, 256), mode: { enum: ['area', 'bilinear'] } },
  defaults: { grid: [12, 12], mode: 'area' },
  negotiate(features, params) {
    return { kind: 'features', T: features.T, h: params.grid[0], w: params.grid[1], D: features.D };
  },
  async run({ grid }, params) {
    return { kind: 'features', grid: spatialPool(grid, params.grid, params.mode) };
  },
});

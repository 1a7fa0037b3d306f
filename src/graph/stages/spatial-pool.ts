/**
 * @file The `spatial-pool` stage: every frame of a feature grid resampled to `[h', w']`, `area` (adaptive average) or
 * `bilinear` (LLaVA-OneVision's per-frame video pooling). Wraps `spatialPool` from src/strategies.
 */
import { spatialPool, type SpatialPoolMode } from '../../strategies/spatial-pool.js';
import type { StageDescriptor } from '../stage.js';
import { expectCaps, expectPayload } from './stage-helpers.js';

export interface SpatialPoolParams {
  readonly grid: readonly [number, number];
  readonly mode: SpatialPoolMode;
}

export const spatialPoolStage: StageDescriptor<SpatialPoolParams> = {
  name: 'spatial-pool',
  version: 1,
  description: "Resamples every frame's token grid to [h, w] (area or bilinear).",
  inputs: { in: 'features' },
  output: 'features',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      grid: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 256 }, minItems: 2, maxItems: 2 },
      mode: { enum: ['area', 'bilinear'] },
    },
  },
  defaults: { grid: [12, 12], mode: 'area' },
  negotiate(inputs, params) {
    const features = expectCaps('spatial-pool', inputs, 'in', 'features');
    return { kind: 'features', T: features.T, h: params.grid[0], w: params.grid[1], D: features.D };
  },
  async run(inputs, params) {
    const { grid } = expectPayload('spatial-pool', inputs, 'in', 'features');
    return { kind: 'features', grid: spatialPool(grid, params.grid, params.mode) };
  },
};

/**
 * @file The `pllava` stage: PLLaVA's 3-D adaptive average pooling of the projected frame tokens to `(T', h', w')`
 * (default (16, 12, 12): 2304 tokens; Xu et al. 2024, "PLLaVA", models/pllava/modeling_pllava.py). One segment per
 * pooled frame (role `frames`) with the timestamp of the first frame of its temporal window. Wraps `pllavaPool`.
 */
import { pllavaPool } from './pllava-pool.js';
import type { StageDescriptor } from '../../graph/stage.js';
import { expectCaps, expectPayload } from '../../graph/stages/stage-helpers.js';
import { perFrameSegments } from '../../core/token-stream.js';

export interface PllavaParams {
  /** Pooled shape `[T', h', w']`. */
  readonly shape: readonly [number, number, number];
}

export const pllavaStage: StageDescriptor<PllavaParams> = {
  name: 'pllava',
  version: 1,
  description: 'PLLaVA: 3-D adaptive average pooling of frame tokens to (T, h, w), default (16, 12, 12).',
  inputs: { in: 'features' },
  output: 'tokens',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      shape: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 1024 }, minItems: 3, maxItems: 3 },
    },
  },
  defaults: { shape: [16, 12, 12] },
  negotiate(inputs, params) {
    const features = expectCaps('pllava', inputs, 'in', 'features');
    const [t, h, w] = params.shape;
    return { kind: 'tokens', count: t * h * w, D: features.D };
  },
  async run(inputs, params) {
    const { grid } = expectPayload('pllava', inputs, 'in', 'features');
    return { kind: 'tokens', segments: perFrameSegments(pllavaPool(grid, params.shape), 'frames') };
  },
};

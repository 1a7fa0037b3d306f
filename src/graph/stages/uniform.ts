/**
 * @file The `uniform` stage: every token of every frame, one segment per frame (role `frames`) with its timestamp —
 * the baseline that needs no strategy.
 */
import { perFrameSegments } from '../../core/token-stream.js';
import { defineStage } from '../define-stage.js';
import type { StageDescriptor } from '../stage.js';

export const uniformStage: StageDescriptor<Record<string, never>> = defineStage({
  name: 'uniform',
  version: 1,
  description: 'All tokens of every frame, one segment per frame with its timestamp.',
  input: 'features',
  output: 'tokens',
  properties: {},
  defaults: {},
  negotiate(features) {
    return { kind: 'tokens', count: features.T * features.h * features.w, D: features.D };
  },
  async run({ grid }) {
    return { kind: 'tokens', segments: perFrameSegments(grid, 'frames') };
  },
});

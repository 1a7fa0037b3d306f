/**
 * @file The `uniform` stage: every token of every frame, one segment per frame (role `frames`) with its timestamp —
 * the baseline that needs no strategy.
 */
import type { StageDescriptor } from '../stage.js';
import { expectCaps, expectPayload } from './stage-helpers.js';
import { perFrameSegments } from '../../core/token-stream.js';

export const uniformStage: StageDescriptor<Record<string, never>> = {
  name: 'uniform',
  version: 1,
  description: 'All tokens of every frame, one segment per frame with its timestamp.',
  inputs: { in: 'features' },
  output: 'tokens',
  paramsSchema: { type: 'object', additionalProperties: false, properties: {} },
  defaults: {},
  negotiate(inputs) {
    const features = expectCaps('uniform', inputs, 'in', 'features');
    return { kind: 'tokens', count: features.T * features.h * features.w, D: features.D };
  },
  async run(inputs) {
    const { grid } = expectPayload('uniform', inputs, 'in', 'features');
    return { kind: 'tokens', segments: perFrameSegments(grid, 'frames') };
  },
};

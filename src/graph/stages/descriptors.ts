/**
 * @file The `descriptors` stage: features → one descriptor per frame, the frame's mean token (the stand-in for a CLS
 * token when the encoder exposes none).
 */
import { meanTokenDescriptors } from '../../core/feature-grid.js';
import type { StageDescriptor } from '../stage.js';
import { expectCaps, expectPayload } from './stage-helpers.js';

export const descriptorsStage: StageDescriptor<Record<string, never>> = {
  name: 'descriptors',
  version: 1,
  description: 'Mean token of each frame as its descriptor [T, D].',
  inputs: { in: 'features' },
  output: 'descriptors',
  paramsSchema: { type: 'object', additionalProperties: false, properties: {} },
  defaults: {},
  negotiate(inputs) {
    const features = expectCaps('descriptors', inputs, 'in', 'features');
    return { kind: 'descriptors', T: features.T, D: features.D };
  },
  async run(inputs) {
    const { grid } = expectPayload('descriptors', inputs, 'in', 'features');
    return { kind: 'descriptors', descriptors: meanTokenDescriptors(grid) };
  },
};

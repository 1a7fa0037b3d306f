/**
 * @file The `descriptors` stage: features → one descriptor per frame, the frame's mean token (the stand-in for a CLS
 * token when the encoder exposes none).
 */
import { meanTokenDescriptors } from '../../core/feature-grid.js';
import { defineStage } from '../define-stage.js';
import type { StageDescriptor } from '../stage.js';

export const descriptorsStage: StageDescriptor<Record<string, never>> = defineStage({
  name: 'descriptors',
  version: 1,
  description: 'Mean token of each frame as its descriptor [T, D].',
  input: 'features',
  output: 'descriptors',
  properties: {},
  defaults: {},
  negotiate(features) {
    return { kind: 'descriptors', T: features.T, D: features.D };
  },
  async run({ grid }) {
    return { kind: 'descriptors', descriptors: meanTokenDescriptors(grid) };
  },
});

/**
 * @file The `ig-vlm-grid` stage: IG-VLM's image grid (Kim et al. 2024, "An Image Grid Can Be Worth a Video",
 * vision_processor/gridview_generator.py): `k` frames (default 6) at `k·floor(N/k)` positions of the delivered
 * frames, tiled row-major with round(sqrt(k)) columns at the frame size, white cells padding the last row; the
 * image is encoded by `encode-image`. Wraps `igVlmGrid`.
 */
import { igVlmGrid, igVlmLayout } from './ig-vlm-grid.js';
import { GraphNegotiationError } from '../../errors/index.js';
import type { StageDescriptor } from '../../graph/stage.js';
import { composedImagePayload, expectCaps, expectPayload } from '../../graph/stages/stage-helpers.js';

export interface IgVlmParams {
  readonly frames: number;
}

export const igVlmGridStage: StageDescriptor<IgVlmParams> = {
  name: 'ig-vlm-grid',
  version: 1,
  description: 'IG-VLM: k frames (default 6) composed into one grid image, row-major, round(sqrt(k)) columns.',
  inputs: { in: 'frames' },
  output: 'image',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { frames: { type: 'integer', minimum: 1, maximum: 64 } },
  },
  defaults: { frames: 6 },
  negotiate(inputs, params) {
    const frames = expectCaps('ig-vlm-grid', inputs, 'in', 'frames');
    if (frames.count < params.frames) {
      throw new GraphNegotiationError(
        'ig-vlm-grid',
        `needs at least ${params.frames} frames but the source gives ${frames.count}`,
      );
    }
    const { rows, cols } = igVlmLayout(params.frames);
    return { kind: 'image', width: frames.width * cols, height: frames.height * rows };
  },
  async run(inputs, params) {
    const { frames } = expectPayload('ig-vlm-grid', inputs, 'in', 'frames');
    const grid = igVlmGrid(frames, params.frames);
    return composedImagePayload(grid.image, frames, grid.indices);
  },
};

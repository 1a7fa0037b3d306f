/**
 * @file The `encode-image` stage: one composed image (TS-LLaVA thumbnail, IG-VLM grid) → one image segment encoded
 * through the encoder's single-image path (`encodeImage`), carrying the frames it was composed from.
 */
import type { StageDescriptor } from '../stage.js';
import { expectCaps, expectPayload, throwIfAborted } from './stage-helpers.js';

export interface EncodeImageParams {
  readonly role: 'thumbnail' | 'grid';
}

export const encodeImageStage: StageDescriptor<EncodeImageParams> = {
  name: 'encode-image',
  version: 1,
  description: 'Encodes one composed image (thumbnail, grid) as a single image segment.',
  inputs: { in: 'image' },
  output: 'tokens',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { role: { enum: ['thumbnail', 'grid'] } },
  },
  defaults: { role: 'thumbnail' },
  negotiate(inputs, _params, context) {
    expectCaps('encode-image', inputs, 'in', 'image');
    return { kind: 'tokens', count: context.encoder.grid.h * context.encoder.grid.w, D: context.encoder.dim };
  },
  async run(inputs, params, context) {
    const payload = expectPayload('encode-image', inputs, 'in', 'image');
    throwIfAborted(context.signal, 'encode-image');
    const grid = await context.encoder.encodeImage(payload.image, { signal: context.signal });
    return {
      kind: 'tokens',
      segments: [
        {
          type: 'visual',
          role: params.role,
          tokens: grid.data,
          count: grid.h * grid.w,
          dim: grid.D,
          timestamps: payload.timestamps,
          frameIndices: payload.frameIndices,
          layout: { t: 1, h: grid.h, w: grid.w },
          isImage: true,
        },
      ],
    };
  },
};

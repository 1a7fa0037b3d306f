/**
 * @file The `encode-image` stage: one composed image (TS-LLaVA thumbnail, IG-VLM grid) → one image segment,
 * carrying the frames it was composed from. `mode: tile` squashes the image into one base tile of the encoder
 * (TS-LLaVA's thumbnail: the spec keeps it at one image's P tokens); `mode: native` sends it through the model's own
 * high-resolution path at its size (IG-VLM: SmolVLM2 image splitting into 512 px tiles plus the global image,
 * LLaVA-OneVision anyres). The token count is the encoder geometry's, negotiated from the image caps' size.
 */
import type { ImageMode } from '../../core/encoder.js';
import type { VisualSegment } from '../../core/token-stream.js';
import { defineStage } from '../define-stage.js';
import type { StageDescriptor } from '../stage.js';
import { throwIfAborted } from './stage-helpers.js';

export interface EncodeImageParams {
  readonly role: 'thumbnail' | 'grid';
  readonly mode: ImageMode;
}

export const encodeImageStage: StageDescriptor<EncodeImageParams> = defineStage({
  name: 'encode-image',
  version: 2,
  description:
    "Encodes one composed image as a single image segment: one base tile, or the model's high-resolution path.",
  input: 'image',
  output: 'tokens',
  properties: { role: { enum: ['thumbnail', 'grid'] }, mode: { enum: ['tile', 'native'] } },
  defaults: { role: 'thumbnail', mode: 'tile' },
  negotiate(image, params, context) {
    return {
      kind: 'tokens',
      count: context.geometry.imageTokens(image.width, image.height, params.mode).count,
      D: context.encoder.dim,
    };
  },
  async run(payload, params, context) {
    throwIfAborted(context.signal, 'encode-image');
    const provenance = { timestamps: payload.timestamps, frameIndices: payload.frameIndices };
    if (params.mode === 'native' && context.encoder.encodeImageNative !== undefined) {
      const tokens = await context.encoder.encodeImageNative(payload.image, { signal: context.signal });
      const segment: VisualSegment = {
        type: 'visual',
        role: params.role,
        tokens: tokens.data,
        count: tokens.count,
        dim: tokens.dim,
        ...provenance,
        isImage: true,
        ...(tokens.tiling.rows * tokens.tiling.cols > 0
          ? {
              tiles: {
                rows: tokens.tiling.rows,
                cols: tokens.tiling.cols,
                tokensPerTile: tokens.tiling.tokensPerTile,
                globalTokens: tokens.tiling.globalTokens,
              },
            }
          : {}),
        ...(tokens.grid ? { layout: { t: 1, h: tokens.grid.h, w: tokens.grid.w } } : {}),
      };
      return { kind: 'tokens', segments: [segment] };
    }
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
          ...provenance,
          layout: { t: 1, h: grid.h, w: grid.w },
          isImage: true,
        },
      ],
    };
  },
});

/**
 * @file TS-LLaVA's two stages (Qu et al. 2024, "TS-LLaVA: Constructing Visual Tokens through Thumbnail-and-Sampling",
 * llava/model/llava_arch.py `grid_aggregation` V2): `ts-llava-sample` takes `5 x P` tokens (the paper's 2880 on
 * 24x24 = 576 tokens per frame; `perFrameTokens`, or an absolute `count`) at round-half-even linspace positions
 * over the flattened `(t, h, w)` sequence; `ts-llava-thumbnail` composes `k`
 * frames (default 6) into one row-major grid image at the frame size, to be encoded by `encode-image`. Wraps
 * `tsLlavaSample` and `tsLlavaThumbnail`.
 */
import { tsLlavaSample, tsLlavaThumbnail, tsLlavaThumbnailSize } from './ts-llava-tokens.js';
import { visualSegment } from '../../core/token-stream.js';
import { GraphNegotiationError } from '../../errors/index.js';
import { defineStage } from '../../graph/define-stage.js';
import type { StageDescriptor } from '../../graph/stage.js';
import { defineComposedImageStage, type ComposedImageParams } from '../composed-image-stage.js';

export interface TsLlavaSampleParams {
  /** Sampled tokens as a multiple of one frame's tokens P (default 5: TS-LLaVA's 2880 = 5 x 576). */
  readonly perFrameTokens: number;
  /** Absolute number of sampled tokens; wins over `perFrameTokens`. Set by `resolve`. */
  readonly count?: number;
}

export const tsLlavaSampleDefaults: TsLlavaSampleParams = { perFrameTokens: 5 };

/** Sampled tokens on a grid of `tokensPerFrame` tokens per frame. */
export function tsLlavaSampleCount(params: TsLlavaSampleParams, tokensPerFrame: number): number {
  return params.count ?? Math.max(1, Math.round(params.perFrameTokens * tokensPerFrame));
}

export const tsLlavaSampleStage: StageDescriptor<TsLlavaSampleParams> = defineStage({
  name: 'ts-llava-sample',
  version: 2,
  description:
    'TS-LLaVA sampling: 5 x P tokens uniformly over the flattened (t, h, w) sequence (2880 on a 24x24 grid).',
  input: 'features',
  output: 'tokens',
  properties: {
    perFrameTokens: { type: 'number', exclusiveMinimum: 0, maximum: 1024 },
    count: { type: 'integer', minimum: 1 },
  },
  defaults: tsLlavaSampleDefaults,
  resolve(params, features) {
    return { ...params, count: tsLlavaSampleCount(params, features.h * features.w) };
  },
  negotiate(features, params) {
    const total = features.T * features.h * features.w;
    const count = tsLlavaSampleCount(params, features.h * features.w);
    if (count > total) {
      throw new GraphNegotiationError(
        'ts-llava-sample',
        `cannot sample ${count} tokens from ${total} (${features.T} frames of ${features.h}x${features.w})`,
      );
    }
    return { kind: 'tokens', count, D: features.D };
  },
  async run({ grid }, params) {
    const sampled = tsLlavaSample(grid, tsLlavaSampleCount(params, grid.h * grid.w));
    return { kind: 'tokens', segments: [visualSegment('sampled', sampled)] };
  },
});

export type TsLlavaThumbnailParams = ComposedImageParams;

export const tsLlavaThumbnailStage: StageDescriptor<TsLlavaThumbnailParams> = defineComposedImageStage({
  name: 'ts-llava-thumbnail',
  version: 1,
  description: 'TS-LLaVA thumbnail: k frames (default 6) tiled row-major into one image at the frame size.',
  size: (width, height, k) => tsLlavaThumbnailSize(width, height, k),
  compose: (frames, k) => tsLlavaThumbnail(frames, k),
});

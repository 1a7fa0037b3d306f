/**
 * @file SlowFast stages. `slowfast` is SlowFast-LLaVA (Xu et al. 2024, apple/ml-slowfast-llava,
 * slowfast_llava/llava/model/llava_arch.py): S slow frames (default 10, `int(linspace(0, T, S+1))[:-1]`) with 2:1
 * horizontal max-pooling, then every frame adaptive-average-pooled to a fast grid (default 4x4); a `slow` segment
 * then a `fast` segment, `S·h·ceil(w/2) + T·gh·gw` tokens (3680 at 50 frames of 24x24). `slowfast-shi` emits the
 * fast tokens of the SHI-Labs slow-fast architecture (spatial average pool, then temporal stride); its slow
 * pathway needs trained cross-attention layers and is not fed to the model. Wrap `slowFast` and `slowFastShi`.
 * The paper's 4x4 fast grid belongs to a 24x24 grid: pipelines state it as `fastGridFraction` (1/6, floored, at least
 * 1): 4x4 on 24x24, 1x1 on SmolVLM2's 8x8, 2x2 on LLaVA-OneVision's 14x14, so the fast path stays the small one.
 * The slow pathway's 2:1 column pooling is already relative to the grid.
 */
import { slowFast, slowFastTokenCount } from './slowfast-llava.js';
import { slowFastShi } from './slowfast-shi.js';
import { GraphNegotiationError } from '../../errors/index.js';
import { defineStage, integerTupleSchema } from '../../graph/define-stage.js';
import type { StageDescriptor } from '../../graph/stage.js';
import { gridSegment } from '../../graph/stages/stage-helpers.js';

export interface SlowFastParams {
  readonly slowFrames: number;
  /** Fast grid as a fraction of the encoder's grid (default 1/6: 4x4 on 24x24), `max(1, floor(h * f))`. */
  readonly fastGridFraction: number;
  /** Absolute fast grid `[gh, gw]`; wins over the fraction. Set by `resolve`. */
  readonly fastGrid?: readonly [number, number];
}

export const slowFastStageDefaults: SlowFastParams = { slowFrames: 10, fastGridFraction: 1 / 6 };

/** The fast grid on an `h x w` token grid. */
export function slowFastGrid(params: SlowFastParams, grid: { h: number; w: number }): [number, number] {
  if (params.fastGrid !== undefined) return [params.fastGrid[0], params.fastGrid[1]];
  const side = (length: number): number => Math.max(1, Math.floor(length * params.fastGridFraction + 1e-9));
  return [side(grid.h), side(grid.w)];
}

// Same shape as `pllava` (a grid-relative parameter, its absolute override, `resolve`); the formulas differ.
export const slowFastStage: StageDescriptor<SlowFastParams> = defineStage({
  name: 'slowfast',
  version: 2,
  description:
    'SlowFast-LLaVA: S slow frames with 2:1 column max-pool, then all frames pooled to a fast grid (h/6; slow first).',
  input: 'features',
  output: 'tokens',
  properties: {
    slowFrames: { type: 'integer', minimum: 1, maximum: 1024 },
    fastGridFraction: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    fastGrid: integerTupleSchema(2, 256),
  },
  defaults: slowFastStageDefaults,
  resolve(params, features) {
    return { ...params, fastGrid: slowFastGrid(params, features) };
  },
  negotiate(features, params) {
    if (features.T < params.slowFrames) {
      throw new GraphNegotiationError(
        'slowfast',
        `needs at least ${params.slowFrames} frames for the slow pathway but receives ${features.T}`,
      );
    }
    const fastGrid = slowFastGrid(params, features);
    if (fastGrid[0] > features.h || fastGrid[1] > features.w) {
      throw new GraphNegotiationError(
        'slowfast',
        `fast grid ${fastGrid[0]}x${fastGrid[1]} is larger than the encoder's ${features.h}x${features.w} token grid`,
      );
    }
    return {
      kind: 'tokens',
      count: slowFastTokenCount(features.T, features.h, features.w, { slowFrames: params.slowFrames, fastGrid }),
      D: features.D,
    };
  },
  async run({ grid }, params) {
    const result = slowFast(grid, { slowFrames: params.slowFrames, fastGrid: slowFastGrid(params, grid) });
    return { kind: 'tokens', segments: [gridSegment(result.slow, 'slow'), gridSegment(result.fast, 'fast')] };
  },
});

export interface SlowFastShiParams {
  readonly spatialStride: number;
  readonly temporalStride: number;
  readonly minFastFrames: number;
}

// Its integer-parameter schema has the shape of `scene-tilling`'s; the parameters and logic differ.
export const slowFastShiStage: StageDescriptor<SlowFastShiParams> = defineStage({
  name: 'slowfast-shi',
  version: 1,
  description: 'SHI-Labs slow-fast: fast tokens only (spatial average pool, then temporal stride or adaptive pool).',
  input: 'features',
  output: 'tokens',
  approximation:
    'slowfast-shi: only the parameter-free fast pathway is used; the released model also cross-attends to slow tokens through trained layers, which a training-free pipeline cannot reproduce.',
  properties: {
    spatialStride: { type: 'integer', minimum: 1, maximum: 64 },
    temporalStride: { type: 'integer', minimum: 1, maximum: 64 },
    minFastFrames: { type: 'integer', minimum: 1, maximum: 1024 },
  },
  defaults: { spatialStride: 2, temporalStride: 4, minFastFrames: 16 },
  negotiate(features, params) {
    if (params.spatialStride > features.h || params.spatialStride > features.w) {
      throw new GraphNegotiationError(
        'slowfast-shi',
        `spatial stride ${params.spatialStride} exceeds the ${features.h}x${features.w} grid`,
      );
    }
    const strided = Math.floor(features.T / params.temporalStride);
    const frames = strided >= params.minFastFrames ? strided : Math.min(features.T, params.minFastFrames);
    const h = Math.floor(features.h / params.spatialStride);
    const w = Math.floor(features.w / params.spatialStride);
    return { kind: 'tokens', count: frames * h * w, D: features.D };
  },
  async run({ grid }, params) {
    return { kind: 'tokens', segments: [gridSegment(slowFastShi(grid, params).fast, 'fast')] };
  },
});

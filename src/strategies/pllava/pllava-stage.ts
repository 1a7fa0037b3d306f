/**
 * @file The `pllava` stage: PLLaVA's 3-D adaptive average pooling of the projected frame tokens to `(T', h', w')`
 * (Xu et al. 2024, "PLLaVA", models/pllava/modeling_pllava.py). The paper's (16, 12, 12) is tied to CLIP's 24x24
 * grid, so the pipeline states its intent relative to the grid: `frames` pooled frames (16) and `spatialFactor`
 * (0.5: `h' = max(1, floor(h * 0.5))`, the spec's "for other grids choose h' = h/2"), resolved per encoder at build
 * time — 12x12 on 24x24, 4x4 on SmolVLM2's 8x8, 7x7 on LLaVA-OneVision's 14x14. An absolute `shape` is still
 * accepted and must fit in the grid. With fewer than 16 frames, T' is the frame count (PLLaVA repeats frames up to
 * 16 instead; repeating would only duplicate tokens). One segment per pooled frame (role `frames`) with the
 * timestamp of the first frame of its temporal window. Token count: `T' * h' * w'`.
 */
import { perFrameSegments } from '../../core/token-stream.js';
import { GraphNegotiationError } from '../../errors/index.js';
import { defineStage, integerTupleSchema } from '../../graph/define-stage.js';
import type { StageDescriptor } from '../../graph/stage.js';
import { pllavaPool } from './pllava-pool.js';

export interface PllavaParams {
  /** Pooled frames T' (default 16). */
  readonly frames: number;
  /** Pooled rows and columns as a factor of the encoder's grid (default 0.5). */
  readonly spatialFactor: number;
  /** Absolute pooled shape `[T', h', w']`; when set it wins over `frames`/`spatialFactor`. Set by `resolve`. */
  readonly shape?: readonly [number, number, number];
}

export const pllavaDefaults: PllavaParams = { frames: 16, spatialFactor: 0.5 };

/** PLLaVA's token count for a pooled shape. */
export function pllavaTokenCount(shape: readonly [number, number, number]): number {
  return shape[0] * shape[1] * shape[2];
}

/** The pooled shape on a `[T, h, w]` grid. */
export function pllavaShape(params: PllavaParams, grid: { T: number; h: number; w: number }): [number, number, number] {
  // T' never exceeds the frames received (PLLaVA would repeat frames up to T'; repeating only duplicates tokens).
  if (params.shape !== undefined) return [Math.min(params.shape[0], grid.T), params.shape[1], params.shape[2]];
  const side = (length: number): number => Math.max(1, Math.floor(length * params.spatialFactor + 1e-9));
  return [Math.min(params.frames, grid.T), side(grid.h), side(grid.w)];
}

// Same shape as `slowfast` (a grid-relative parameter, its absolute override, `resolve`); the formulas differ.
export const pllavaStage: StageDescriptor<PllavaParams> = defineStage({
  name: 'pllava',
  version: 2,
  description: "PLLaVA: 3-D adaptive average pooling of frame tokens to (T', h/2, w/2); (16, 12, 12) on a 24x24 grid.",
  input: 'features',
  output: 'tokens',
  properties: {
    frames: { type: 'integer', minimum: 1, maximum: 1024 },
    spatialFactor: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    shape: integerTupleSchema(3, 1024),
  },
  defaults: pllavaDefaults,
  resolve(params, features) {
    return { ...params, shape: pllavaShape(params, features) };
  },
  negotiate(features, params) {
    const shape = pllavaShape(params, features);
    if (shape[1] > features.h || shape[2] > features.w) {
      throw new GraphNegotiationError(
        'pllava',
        `pooled grid ${shape[1]}x${shape[2]} is larger than the encoder's ${features.h}x${features.w} token grid (use spatialFactor instead of an absolute shape)`,
      );
    }
    return { kind: 'tokens', count: pllavaTokenCount(shape), D: features.D };
  },
  async run({ grid }, params) {
    return { kind: 'tokens', segments: perFrameSegments(pllavaPool(grid, pllavaShape(params, grid)), 'frames') };
  },
});

/**
 * @file SlowFast-LLaVA (training-free): a slow pathway of few frames at high spatial resolution and a fast pathway of
 * all frames at low resolution, slow tokens first.
 *
 * Reference: apple/ml-slowfast-llava@bea0f73c106b91404ef403353e184b278fcc64a7,
 * `slowfast_llava/llava/model/llava_arch.py` (`LlavaMetaForCausalLM.temporal_aggregation`, aggregation
 * `slowfast-slow_10frms_spatial_1d_max_pool-fast_4x4`): slow frames `torch.linspace(0, T, S+1).to(torch.int32)[:-1]`,
 * `nn.MaxPool1d(2, 2)` over each slow frame's flattened tokens; fast = `nn.AdaptiveAvgPool2d((4, 4))` over every frame.
 * Defaults: T = 50, S = 10, fast 4x4 -> `S*h*ceil(w/2) + T*gh*gw` tokens (3680 for a 24x24 grid).
 *
 * Slow frames use the exact AVX2 `torch.linspace` emulation (src/tensor/torch-linspace.ts), which matches torch for
 * every size; the op-by-op formula differs for some (e.g. T = 2, S = 14).
 *
 * Deviation (documented, and what the golden vectors use): the slow max-pool is over horizontal column pairs
 * `(2j, 2j+1)` of each row; an odd last column is kept alone (ceil mode). For even widths this equals the original
 * 1-D pool; for odd widths (27x27 SigLIP grids) the original would pair tokens across rows and drop the last one.
 */
import { featureGrid, type FeatureGrid } from '../../core/feature-grid.js';
import { adaptiveAveragePool2d } from '../../tensor/adaptive-average-pool.js';
import { columnPairMaxPool } from '../../tensor/column-pair-max-pool.js';
import { torchLinspaceTruncIndices } from '../../tensor/torch-linspace.js';
import { pickFrameMetadata, requireGrid, requireInteger } from '../strategy-input.js';

export interface SlowFastOptions {
  /** Slow frames S (default 10). */
  readonly slowFrames?: number;
  /** Fast pathway grid per frame `[gh, gw]` (default [4, 4]). */
  readonly fastGrid?: readonly [number, number];
}

export interface SlowFastResult {
  /** Positions (in the input grid) of the slow frames. */
  readonly slowIndices: number[];
  /** `[S, h, ceil(w/2), D]`. */
  readonly slow: FeatureGrid;
  /** `[T, gh, gw, D]`. */
  readonly fast: FeatureGrid;
}

export const slowFastDefaults = { slowFrames: 10, fastGrid: [4, 4] as const, frames: 50 };

/** Token count of SlowFast-LLaVA for a `[T, h, w]` grid. */
export function slowFastTokenCount(T: number, h: number, w: number, options: SlowFastOptions = {}): number {
  const S = options.slowFrames ?? slowFastDefaults.slowFrames;
  const [gh, gw] = options.fastGrid ?? slowFastDefaults.fastGrid;
  return S * h * Math.ceil(w / 2) + T * gh * gw;
}

/** Slow and fast pathways of `grid`; the model input is `slow` tokens then `fast` tokens. */
export function slowFast(grid: FeatureGrid, options: SlowFastOptions = {}): SlowFastResult {
  requireGrid('slowfast', grid);
  const S = options.slowFrames ?? slowFastDefaults.slowFrames;
  const [gh, gw] = options.fastGrid ?? slowFastDefaults.fastGrid;
  requireInteger('slowfast', 'slow frames', S);
  requireInteger('slowfast', 'fast grid rows', gh);
  requireInteger('slowfast', 'fast grid columns', gw);
  const shape = [grid.T, grid.h, grid.w, grid.D] as const;
  const slowIndices = torchLinspaceTruncIndices(grid.T, S);
  const slowData = columnPairMaxPool(grid.data, shape, slowIndices);
  const slowMeta = pickFrameMetadata(grid, slowIndices);
  const slow = featureGrid(
    S,
    grid.h,
    Math.ceil(grid.w / 2),
    grid.D,
    slowData,
    slowMeta.timestamps,
    slowMeta.frameIndices,
  );
  const fastData = adaptiveAveragePool2d(grid.data, shape, [gh, gw]);
  const fast = featureGrid(grid.T, gh, gw, grid.D, fastData, grid.timestamps, grid.frameIndices);
  return { slowIndices, slow, fast };
}

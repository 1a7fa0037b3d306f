/**
 * @file PLLaVA pooling: 3-D adaptive average pooling of projected frame tokens.
 *
 * Reference: magic-research/PLLaVA@6f49fd281a855c4fa3103595ba2800a4dce7ec88, `models/pllava/modeling_pllava.py`
 * (`PllavaMultiModalProjector.forward`: `nn.AdaptiveAvgPool3d(pooling_shape)` on `[B, D, T, H, W]`, applied after the
 * MLP projector) and `tasks/eval/model_utils.py` (`load_pllava(..., pooling_shape=(16,12,12))`). Defaults: 16 frames,
 * pooled to (16, 12, 12) -> 2304 tokens in (t, h, w) raster order, no separators.
 *
 * Deviations: the pooled grid's metadata is ours — each output frame takes the timestamp and source frame index of
 * the FIRST input frame of its temporal window (with T' = T that is simply the frame itself). PLLaVA repeats frames
 * when fewer than 16 reach the projector; here the adaptive pool handles any T >= T' and fewer frames are an error.
 */
import { featureGrid, type FeatureGrid } from '../../core/feature-grid.js';
import { StrategyInputError } from '../../errors/index.js';
import { adaptiveWindows } from '../../tensor/pooling-windows.js';
import { averagePoolWindows } from '../../tensor/window-average-pool.js';
import { requireGrid, requireInteger, windowFrameMetadata } from '../strategy-input.js';

/** PLLaVA's released pooling shape `(T', h', w')`. */
export const pllavaDefaultShape = [16, 12, 12] as const;
/** PLLaVA's frame count. */
export const pllavaDefaultFrames = 16;

/** Pools `grid` `[T,h,w,D]` to `[t,h',w',D]` by 3-D adaptive averaging. Token count `t*h'*w'`. */
export function pllavaPool(
  grid: FeatureGrid,
  shape: readonly [t: number, h: number, w: number] = pllavaDefaultShape,
): FeatureGrid {
  requireGrid('pllava', grid);
  const [t, h, w] = shape;
  requireInteger('pllava', 'pooled frames', t);
  requireInteger('pllava', 'pooled rows', h);
  requireInteger('pllava', 'pooled columns', w);
  if (t > grid.T || h > grid.h || w > grid.w) {
    throw new StrategyInputError(
      'pllava',
      `pooling shape [${t},${h},${w}] is larger than the grid [${grid.T},${grid.h},${grid.w}]`,
    );
  }
  const time = adaptiveWindows(grid.T, t);
  const data = averagePoolWindows(grid.data, [grid.T, grid.h, grid.w, grid.D], {
    time,
    rows: adaptiveWindows(grid.h, h),
    columns: adaptiveWindows(grid.w, w),
  });
  const { timestamps, frameIndices } = windowFrameMetadata(grid, time);
  return featureGrid(t, h, w, grid.D, data, timestamps, frameIndices);
}

/**
 * @file Per-frame spatial pooling of a feature grid to `[h', w']`: `area` (adaptive average, `F.interpolate(mode=
 * 'area')`) or `bilinear` (half-pixel centres, align_corners false, no antialiasing). LLaVA-OneVision pools video
 * frames bilinearly (`get_2dPool`, mode `bilinear`, to ceil(h/2) x ceil(w/2)); PLLaVA-style and VideoLLaMB-style
 * pooling is area.
 */
import { featureGrid, type FeatureGrid } from '../core/feature-grid.js';
import { StrategyInputError } from '../errors/index.js';
import { adaptiveAveragePool2d } from '../tensor/adaptive-average-pool.js';
import { bilinearResample } from '../tensor/bilinear-resample.js';
import { requireGrid, requireInteger } from './strategy-input.js';

export type SpatialPoolMode = 'area' | 'bilinear';

/** Resamples every frame of `grid` to `size` = `[h', w']`. Token count `T*h'*w'`. */
export function spatialPool(
  grid: FeatureGrid,
  size: readonly [h: number, w: number],
  mode: SpatialPoolMode = 'bilinear',
): FeatureGrid {
  requireGrid('spatial-pool', grid);
  const [h, w] = size;
  requireInteger('spatial-pool', 'rows', h);
  requireInteger('spatial-pool', 'columns', w);
  const shape = [grid.T, grid.h, grid.w, grid.D] as const;
  let data: Float32Array;
  if (mode === 'area') data = adaptiveAveragePool2d(grid.data, shape, [h, w]);
  else if (mode === 'bilinear') data = bilinearResample(grid.data, shape, [h, w]);
  else throw new StrategyInputError('spatial-pool', `unknown mode '${String(mode)}' (expected area or bilinear)`);
  return featureGrid(grid.T, h, w, grid.D, data, grid.timestamps, grid.frameIndices);
}

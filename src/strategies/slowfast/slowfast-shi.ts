/**
 * @file SHI-Labs Slow-Fast video MLLM: the parameter-free fast-token compression (the slow tokens are exposed
 * separately for models with trained cross-attention; they are NOT part of the LLM input sequence).
 *
 * Reference: SHI-Labs/Slow-Fast-Video-Multimodal-LLM@69676a1a5c3e343391a312b511932757af422478,
 * `llava/model/language_model/llava_qwen2_slowfast.py` (`prepare_inputs_labels_for_multimodal`: `avg_pool2d` with
 * `mm_video_pooling_stride`; `sample_fast_frames`: `avg_pool3d` kernel `(temporal_stride,1,1)` when
 * `T div stride >= min_fast_frames`, else `adaptive_avg_pool3d` to `min(T, min_fast_frames)` frames).
 * Defaults from `singlenode-finetune-qwen2-7b-convnext-stride1-temporal4-frame64.sh`: spatial stride 2, temporal
 * stride 4, min fast frames 16, T = 64 on an 18x18 grid -> fast 16*81 = 1296 tokens, slow 64*81 = 5184.
 *
 * Deviations: none in the arithmetic. Pooled fast frames take the timestamp/source index of the first frame of their
 * window. Using the slow tokens needs the authors' trained hybrid layers; a generic VLM gets only `fast`.
 */
import { featureGrid, type FeatureGrid } from '../../core/feature-grid.js';
import { StrategyInputError } from '../../errors/index.js';
import { adaptiveWindows, identityWindows, strideWindows } from '../../tensor/pooling-windows.js';
import { averagePoolWindows } from '../../tensor/window-average-pool.js';
import { requireGrid, requireInteger, windowFrameMetadata } from '../strategy-input.js';

export interface SlowFastShiOptions {
  /** Spatial average-pool kernel and stride applied to every frame (default 2). */
  readonly spatialStride?: number;
  /** Frames averaged into one fast frame (default 4). */
  readonly temporalStride?: number;
  /** Below this many strided fast frames, fall back to adaptive pooling to `min(T, minFastFrames)` (default 16). */
  readonly minFastFrames?: number;
}

export interface SlowFastShiResult {
  /** Fast tokens (the LLM input): `[T', h/s, w/s, D]`; shares `slow`'s buffer when T' = T (treat both as read-only). */
  readonly fast: FeatureGrid;
  /** Slow tokens (cross-attention keys/values in the original): `[T, h/s, w/s, D]`. */
  readonly slow: FeatureGrid;
}

export const slowFastShiDefaults = { spatialStride: 2, temporalStride: 4, minFastFrames: 16, frames: 64 };

/** Fast and slow tokens of `grid`. */
export function slowFastShi(grid: FeatureGrid, options: SlowFastShiOptions = {}): SlowFastShiResult {
  requireGrid('slowfast-shi', grid);
  const spatialStride = options.spatialStride ?? slowFastShiDefaults.spatialStride;
  const temporalStride = options.temporalStride ?? slowFastShiDefaults.temporalStride;
  const minFastFrames = options.minFastFrames ?? slowFastShiDefaults.minFastFrames;
  requireInteger('slowfast-shi', 'spatial stride', spatialStride);
  requireInteger('slowfast-shi', 'temporal stride', temporalStride);
  requireInteger('slowfast-shi', 'min fast frames', minFastFrames);
  if (spatialStride > grid.h || spatialStride > grid.w) {
    throw new StrategyInputError(
      'slowfast-shi',
      `spatial stride ${spatialStride} exceeds the grid ${grid.h}x${grid.w}`,
    );
  }
  const rows = strideWindows(grid.h, spatialStride);
  const columns = strideWindows(grid.w, spatialStride);
  const slowData = averagePoolWindows(grid.data, [grid.T, grid.h, grid.w, grid.D], {
    time: identityWindows(grid.T),
    rows,
    columns,
  });
  const slow = featureGrid(grid.T, rows.count, columns.count, grid.D, slowData, grid.timestamps, grid.frameIndices);
  const strided = Math.floor(grid.T / temporalStride);
  const time =
    strided >= minFastFrames
      ? strideWindows(grid.T, temporalStride)
      : adaptiveWindows(grid.T, Math.min(grid.T, minFastFrames));
  // With as many fast frames as frames (short videos) the fast tokens are the slow tokens: share the buffer.
  const fastData =
    time.count === grid.T
      ? slowData
      : averagePoolWindows(slowData, [grid.T, rows.count, columns.count, grid.D], {
          time,
          rows: identityWindows(rows.count),
          columns: identityWindows(columns.count),
        });
  const meta = windowFrameMetadata(grid, time);
  const fast = featureGrid(time.count, rows.count, columns.count, grid.D, fastData, meta.timestamps, meta.frameIndices);
  return { fast, slow };
}

/**
 * @file The `ig-vlm-grid` stage: IG-VLM's image grid (Kim et al. 2024, "An Image Grid Can Be Worth a Video",
 * vision_processor/gridview_generator.py): `k` frames (default 6) at `k·floor(N/k)` positions of the delivered
 * frames, tiled row-major with round(sqrt(k)) columns at the frame size, white cells padding the last row; the
 * image is encoded by `encode-image`. Wraps `igVlmGrid`.
 */
import { igVlmGrid, igVlmLayout } from './ig-vlm-grid.js';
import type { StageDescriptor } from '../../graph/stage.js';
import { defineComposedImageStage, type ComposedImageParams } from '../composed-image-stage.js';

export type IgVlmParams = ComposedImageParams;

export const igVlmGridStage: StageDescriptor<IgVlmParams> = defineComposedImageStage({
  name: 'ig-vlm-grid',
  version: 1,
  description: 'IG-VLM: k frames (default 6) composed into one grid image, row-major, round(sqrt(k)) columns.',
  size(width, height, k) {
    const { rows, cols } = igVlmLayout(k);
    return { width: width * cols, height: height * rows };
  },
  compose: (frames, k) => igVlmGrid(frames, k),
});

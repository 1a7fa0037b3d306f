/**
 * @file IG-VLM: k frames composed into one image grid at native resolution, fed to an image VLM with a grid-view
 * prompt.
 *
 * Reference: imagegridworth/IG-VLM@00d11ab4f835d4930cd19376a2dc5f73b7206f5a, `vision_processor/fps_extractor.py`
 * (`FpsExtractor._adjust_interval_fixed`: frames `k * floor(N/k)`), `vision_processor/gridview_generator.py`
 * (`GridViewCreator.create_grid_view_as_array_from_image_array`: white padding cells, rows stacked top to bottom),
 * `vision_processor/fps_gridview_processor.py` (`calcualte_max_row = round(sqrt(x))`, `frame_fixed_number = 6`);
 * prompts from `eval_llava_openended.py` / `eval_llava_multiplechoice.py`. Default k = 6 -> 3 rows x 2 columns.
 *
 * Deviations: IG-VLM resizes frames of different sizes to the smallest (cv2 INTER_LINEAR); frames of one video
 * share a size, so different sizes are rejected here instead.
 */
import type { RgbImage } from '../../core/frame.js';
import { StrategyInputError } from '../../errors/index.js';
import { roundHalfEven } from '../../numeric/rounding.js';
import { frameIndices } from '../../sampling/frame-indices.js';
import { copyImage, fillImage, interleavedView, planarView, regionView } from '../../tensor/image-area-resample.js';
import { isPlanarFrames, requirePlanarFrames, type PlanarFrames, type PlanarImage } from '../planar-frames.js';
import { requireInteger } from '../strategy-input.js';

export const igVlmDefaults = { frames: 6 };

/** The grid-view sentence every IG-VLM prompt uses. */
export const igVlmGridSentence = 'The provided image arranges keyframes from a video in a grid view.';

/** IG-VLM's open-ended instruction (7B/13B LLaVA-1.6), without the chat wrapper; `{question}` is replaced. */
export const igVlmOpenEndedInstruction =
  'The provided image arranges keyframes from a video in a grid view. Answer concisely with overall content and context of the video, highlighting any significant events, characters, or objects that appear throughout the frames. Question: {question}?';

/** IG-VLM's full open-ended prompt for Vicuna-style LLaVA-1.6 (7B/13B). */
export const igVlmOpenEndedPromptVicuna = `USER: <image>\n${igVlmOpenEndedInstruction} \nASSISTANT:\nAnswer: In the video,`;

/** The GPT-4V multiple-choice addition stating the reading order of the grid. */
export const igVlmChronologySentence =
  'They are arranged in chronological order, holding temporal information from the top left to the bottom right.';

export interface ImageGridResult<Image> {
  /** Positions of the chosen frames in the input. */
  readonly indices: number[];
  readonly rows: number;
  readonly cols: number;
  readonly image: Image;
}

/** Columns per row and rows of IG-VLM's grid for k frames. */
export function igVlmLayout(k: number): { rows: number; cols: number } {
  requireInteger('ig-vlm', 'grid frames', k);
  const cols = roundHalfEven(Math.sqrt(k));
  return { rows: Math.ceil(k / cols), cols };
}

/** Composes the grid: frames `igvlm(T, k)`, row-major at native size, white (255) cells padding the last row. */
export function igVlmGrid(frames: PlanarFrames, k?: number): ImageGridResult<PlanarImage>;
export function igVlmGrid(frames: readonly RgbImage[], k?: number): ImageGridResult<RgbImage>;
export function igVlmGrid(
  frames: PlanarFrames | readonly RgbImage[],
  k: number = igVlmDefaults.frames,
): ImageGridResult<PlanarImage> | ImageGridResult<RgbImage> {
  const { rows, cols } = igVlmLayout(k);
  if (isPlanarFrames(frames)) requirePlanarFrames('ig-vlm', frames);
  const T = isPlanarFrames(frames) ? frames.T : frames.length;
  if (T < k) throw new StrategyInputError('ig-vlm', `a ${k}-frame grid needs at least ${k} frames, got ${T}`);
  const indices = frameIndices('igvlm', T, k);
  if (isPlanarFrames(frames)) {
    const { channels, height, width } = frames;
    const data = new Float32Array(channels * rows * height * cols * width);
    const target = planarView(data, cols * width, rows * height, channels);
    fillImage(target, 255);
    indices.forEach((t, n) => {
      const source = planarView(frames.data, width, height, channels, t * channels * height * width);
      copyImage(source, regionView(target, (n % cols) * width, Math.floor(n / cols) * height, width, height));
    });
    return { indices, rows, cols, image: { channels, height: rows * height, width: cols * width, data } };
  }
  const { width, height } = frames[indices[0]!]!;
  const data = new Uint8Array(rows * height * cols * width * 3);
  const target = interleavedView(data, cols * width, rows * height);
  fillImage(target, 255);
  indices.forEach((t, n) => {
    const frame = frames[t]!;
    if (frame.width !== width || frame.height !== height) {
      throw new StrategyInputError(
        'ig-vlm',
        `frame ${t} is ${frame.width}x${frame.height}, expected ${width}x${height} like the others`,
      );
    }
    copyImage(
      interleavedView(frame.data, width, height),
      regionView(target, (n % cols) * width, Math.floor(n / cols) * height, width, height),
    );
  });
  return { indices, rows, cols, image: { width: cols * width, height: rows * height, data } };
}

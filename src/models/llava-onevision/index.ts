/**
 * @file The LLaVA-OneVision family adapter (qwen2-0.5b): 384x384 frames, 729 projected tokens (27x27) per image,
 * pooled bilinearly to 14x14 = 196 tokens per video frame; the Qwen2 chat prompt with `<video>` / `<image>` rows.
 */
import type { ModelFamily, TokenGrids, VisionOutput } from '../model-family.js';
import { bilinearResizeGrids } from './bilinear-pool.js';
import { llavaOnevisionImageSize, writeLlavaOnevisionPixels } from './image-processor.js';
import { llavaOnevisionContextText, llavaOnevisionQuestionText } from './prompt-builder.js';
import { llavaOnevisionTokens } from './special-tokens.js';

export { bilinearResizeGrids } from './bilinear-pool.js';
export { llavaOnevisionContextText, llavaOnevisionMediaText, llavaOnevisionQuestionText } from './prompt-builder.js';
export { llavaOnevisionTokenIds, llavaOnevisionTokens } from './special-tokens.js';
export { writeLlavaOnevisionPixels } from './image-processor.js';

function squareSide(output: VisionOutput): number {
  const side = Math.round(Math.sqrt(output.tokens));
  if (side * side !== output.tokens) throw new RangeError(`vision output of ${output.tokens} tokens per image is not a square grid`);
  return side;
}

export const llavaOnevisionFamily: ModelFamily = {
  name: 'llava-onevision',
  modelTypes: ['llava_onevision'],
  imageSize: llavaOnevisionImageSize,
  frameGrid: { h: 14, w: 14 },
  placeholderTokens: [llavaOnevisionTokens.video, llavaOnevisionTokens.image],
  writePixels: writeLlavaOnevisionPixels,
  frameTokens(output: VisionOutput): TokenGrids {
    const side = squareSide(output);
    const pooled = Math.ceil(side / 2);
    return { data: bilinearResizeGrids(output.data, output.count, side, side, output.hidden, pooled, pooled), h: pooled, w: pooled };
  },
  imageTokens(output: VisionOutput): TokenGrids {
    const side = squareSide(output);
    return { data: output.data, h: side, w: side };
  },
  contextText: llavaOnevisionContextText,
  questionText: llavaOnevisionQuestionText,
};

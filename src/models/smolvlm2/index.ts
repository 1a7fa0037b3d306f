/**
 * @file The SmolVLM2 family adapter (256M / 500M Video-Instruct): 512x512 frames, 64 tokens per frame as an 8x8
 * grid (pixel shuffle r=4 of the 32x32 patch grid, in raster order), the video prompt and its special tokens.
 */
import type { ModelFamily, TokenGrids, VisionOutput } from '../model-family.js';
import { smolvlm2ImageSize, writeSmolvlm2Pixels } from './image-processor.js';
import { smolvlm2ContextText, smolvlm2QuestionText } from './prompt-builder.js';
import { smolvlm2Tokens } from './special-tokens.js';

export { smolvlm2ContextText, smolvlm2MediaText, smolvlm2QuestionText } from './prompt-builder.js';
export { smolvlm2TokenIds, smolvlm2Tokens } from './special-tokens.js';
export { writeSmolvlm2Pixels } from './image-processor.js';

function squareGrid(output: VisionOutput): TokenGrids {
  const side = Math.round(Math.sqrt(output.tokens));
  if (side * side !== output.tokens) throw new RangeError(`vision output of ${output.tokens} tokens per image is not a square grid`);
  return { data: output.data, h: side, w: side };
}

export const smolvlm2Family: ModelFamily = {
  name: 'smolvlm2',
  modelTypes: ['smolvlm', 'idefics3'],
  imageSize: smolvlm2ImageSize,
  frameGrid: { h: 8, w: 8 },
  placeholderTokens: [smolvlm2Tokens.image],
  writePixels: writeSmolvlm2Pixels,
  frameTokens: squareGrid,
  imageTokens: squareGrid,
  contextText: smolvlm2ContextText,
  questionText: smolvlm2QuestionText,
};

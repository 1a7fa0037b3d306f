/**
 * @file LLaVA-OneVision's prompt for a token stream: `<|im_start|>user <video>\n{question}<|im_end|><|im_start|>assistant\n`
 * from the chat template, where the single `<video>` placeholder becomes the stream: each video segment is
 * `<video>`×count, a composed image (`isImage`) is `<image>`×count, text segments are written verbatim. A tiled
 * high-resolution image (`tiles`, anyres: base image then the packed, unpadded tiles) is one image: `<image>`×count
 * (the runtime scatters the rows in order and checks the count). With `assistantPrefix` the
 * prompt ends `<|im_start|>assistant\n{prefix}`, so generation continues the prefix. The learned `image_newline`
 * vector is not part of any ONNX graph; when the model folder has it (pulled from model.safetensors), the runtime sets
 * `videoNewlineAfterSegment` and one more `<video>` follows that segment, as the reference appends one newline per
 * video (`frames·196 + 1`).
 */
import type { TokenStream, VisualSegment } from '../../core/token-stream.js';
import type { PromptOptions, PromptTokenizer } from '../model-family.js';
import { llavaOnevisionTokens } from './special-tokens.js';

function userTurn(
  tokenizer: PromptTokenizer,
  question: string,
  options: PromptOptions,
): { before: string; after: string } {
  const messages = [
    ...(options.systemPrompt === undefined
      ? []
      : [{ role: 'system', content: [{ type: 'text', text: options.systemPrompt }] }]),
    { role: 'user', content: [{ type: 'video' }, { type: 'text', text: question }] },
  ];
  const { imStart, imEnd, video } = llavaOnevisionTokens;
  const rendered = tokenizer.hasChatTemplate
    ? tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true })
    : `${imStart}user ${video}\n${question}${imEnd}${imStart}assistant\n`;
  const at = rendered.indexOf(video);
  if (at < 0) throw new RangeError('the chat template wrote no <video> placeholder');
  return { before: rendered.slice(0, at), after: rendered.slice(at + video.length) };
}

/**
 * The placeholders of one visual segment: `<image>`×count for an image (tiled or not), `<video>`×count otherwise.
 * An anyres image's count is the packed grid's (base image + unpadded tiles + newline rows), not rows·cols·tile.
 */
function segmentPlaceholders(segment: VisualSegment): string {
  return (
    segment.isImage || segment.tiles !== undefined ? llavaOnevisionTokens.image : llavaOnevisionTokens.video
  ).repeat(segment.count);
}

/** The media text of a stream; `newlineAfter` is the segment followed by the video newline placeholder. */
export function llavaOnevisionMediaText(stream: TokenStream, newlineAfter?: number): string {
  let text = '';
  stream.segments.forEach((segment, index) => {
    if (segment.type === 'text') text += segment.text;
    else text += segmentPlaceholders(segment);
    if (index === newlineAfter) text += llavaOnevisionTokens.video;
  });
  return text;
}

export function llavaOnevisionContextText(
  stream: TokenStream,
  tokenizer: PromptTokenizer,
  options: PromptOptions,
): string {
  return userTurn(tokenizer, '', options).before + llavaOnevisionMediaText(stream, options.videoNewlineAfterSegment);
}

export function llavaOnevisionQuestionText(
  question: string,
  tokenizer: PromptTokenizer,
  options: PromptOptions,
): string {
  const after = userTurn(tokenizer, question, options).after;
  const prefix = options.assistantPrefix?.trim();
  return prefix ? after + prefix : after;
}

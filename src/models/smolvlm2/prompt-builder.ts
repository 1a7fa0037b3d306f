/**
 * @file SmolVLM2's video prompt for a token stream. The user turn comes from the chat template; its media part is
 * the Python processor's video expansion (`SmolVLMProcessor.process_video`, `get_image_prompt_string`):
 *
 *   intro   "You are provided the following series of {num2words(frames)} frames from a {H:MM:SS} [H:MM:SS] video.\n"
 *   frames  "\nFrame from MM:SS:" <fake_token_around_image><global-img> <image>×count <fake_token_around_image>
 *   outro   "\n\n" (then the question)
 *
 * Labels. A segment computed from exactly one frame gets the processor's own label `\nFrame from MM:SS:`. When several
 * frames were pooled into the segment's positions (PLLaVA/SlowFast pooling, TS-LLaVA sampling, B-VLLM merges,
 * VideoLLaMB memory) no per-frame label can be written, so the segment gets one label for its span,
 * `\nFrames from MM:SS to MM:SS:` (`\nFrames from MM:SS:` when the span lies within one second): the processor's
 * wording with one extra timestamp, so it costs about the tokens of one more label per segment, not per frame. A
 * composed image (`isImage`: IG-VLM grid, TS-LLaVA thumbnail) gets `\nImage of frames from MM:SS to MM:SS:` (or
 * `\nImage from MM:SS:`).
 *
 * Wrappers. A segment is wrapped as one image around exactly `count` `<image>` tokens; a tiled high-resolution image
 * (`tiles`) is written exactly as `get_image_prompt_string` writes a split image: for each row r and column c
 * `<fake_token_around_image><row_r_col_c>` + `<image>`×tokensPerTile, `\n` after each row, then
 * `\n<fake_token_around_image><global-img>` + `<image>`×globalTokens + `<fake_token_around_image>`. Text segments are
 * written verbatim where they stand.
 *
 * Intro. The frame count is the number of distinct source frames behind the stream's visual segments (six for an
 * IG-VLM grid, sixteen for PLLaVA, fifty for TS-LLaVA whose thumbnail frames are among its sampled ones); the
 * duration is the video's (`videoDuration`), else the last visual timestamp.
 *
 * Assistant prefix. With `assistantPrefix` the prompt ends `Assistant: {prefix}`: the template writes `Role: ` before a
 * text item, so the prefix continues the assistant turn exactly as the template would render a message starting with
 * it, and generation continues the prefix.
 */
import type { TokenStream, VisualSegment } from '../../core/token-stream.js';
import { InputRejectedError } from '../../errors/index.js';
import type { PromptOptions, PromptTokenizer } from '../model-family.js';
import { numberToWords } from '../number-words.js';
import { hoursMinutesSeconds, minutesSeconds } from '../timestamp-text.js';
import { smolvlm2Tokens } from './special-tokens.js';

const mediaMarker = '\u{F0000}vidtok-media\u{F0000}';

/** Rows and columns of `<row_r_col_c>` tokens SmolVLM2's tokenizer has (1..6 each). */
export const smolvlm2MaximumTileGrid = 6;

/** The label written before a visual segment (see the file header). */
export function smolvlm2SegmentLabel(segment: Pick<VisualSegment, 'timestamps' | 'isImage'>): string {
  const first = segment.timestamps[0] ?? 0;
  const last = segment.timestamps.at(-1) ?? first;
  const span = segment.timestamps.length > 1 && minutesSeconds(first) !== minutesSeconds(last);
  if (segment.isImage)
    return span
      ? `\nImage of frames from ${minutesSeconds(first)} to ${minutesSeconds(last)}:`
      : `\nImage from ${minutesSeconds(first)}:`;
  if (segment.timestamps.length <= 1) return `\nFrame from ${minutesSeconds(first)}:`;
  return span
    ? `\nFrames from ${minutesSeconds(first)} to ${minutesSeconds(last)}:`
    : `\nFrames from ${minutesSeconds(first)}:`;
}

/** The image string of a segment: one image, or the split-image string of a tiled one. */
export function smolvlm2ImageText(segment: Pick<VisualSegment, 'count' | 'tiles' | 'role'>): string {
  const { fakeAroundImage, globalImage, image } = smolvlm2Tokens;
  const tiles = segment.tiles;
  if (tiles === undefined) return `${fakeAroundImage}${globalImage}${image.repeat(segment.count)}${fakeAroundImage}`;
  const { rows, cols, tokensPerTile, globalTokens } = tiles;
  const valid =
    [rows, cols, tokensPerTile, globalTokens].every((value) => Number.isInteger(value) && value >= 0) &&
    rows >= 1 &&
    cols >= 1;
  if (!valid || rows > smolvlm2MaximumTileGrid || cols > smolvlm2MaximumTileGrid) {
    throw new InputRejectedError(
      'token stream',
      `a ${segment.role} image has ${rows}x${cols} tiles; SmolVLM2 writes 1x1 to ${smolvlm2MaximumTileGrid}x${smolvlm2MaximumTileGrid}`,
    );
  }
  if (rows * cols * tokensPerTile + globalTokens !== segment.count) {
    throw new InputRejectedError(
      'token stream',
      `a ${segment.role} image has ${segment.count} tokens but its ${rows}x${cols} tiles of ${tokensPerTile} plus ${globalTokens} global make ${rows * cols * tokensPerTile + globalTokens}`,
    );
  }
  let text = '';
  for (let row = 1; row <= rows; row++) {
    for (let column = 1; column <= cols; column++)
      text += `${fakeAroundImage}<row_${row}_col_${column}>${image.repeat(tokensPerTile)}`;
    text += '\n';
  }
  return `${text}\n${fakeAroundImage}${globalImage}${image.repeat(globalTokens)}${fakeAroundImage}`;
}

/** Distinct source frames behind the visual segments of a stream (frame index, else timestamp). */
function sourceFrameCount(stream: TokenStream): number {
  const frames = new Set<string>();
  for (const segment of stream.segments) {
    if (segment.type !== 'visual') continue;
    segment.timestamps.forEach((timestamp, position) => {
      const index = segment.frameIndices[position];
      frames.add(index === undefined ? `t${timestamp}` : `i${index}`);
    });
  }
  return frames.size;
}

/** The media text of a stream: intro, then every segment in order with its label and wrapper. */
export function smolvlm2MediaText(stream: TokenStream, options: PromptOptions): string {
  let lastTimestamp = 0;
  for (const segment of stream.segments) {
    if (segment.type === 'visual') lastTimestamp = Math.max(lastTimestamp, ...segment.timestamps);
  }
  const duration = options.videoDuration ?? lastTimestamp;
  let text = `You are provided the following series of ${numberToWords(sourceFrameCount(stream))} frames from a ${hoursMinutesSeconds(duration)} [H:MM:SS] video.\n`;
  for (const segment of stream.segments) {
    text += segment.type === 'text' ? segment.text : smolvlm2SegmentLabel(segment) + smolvlm2ImageText(segment);
  }
  return text;
}

function userTurn(
  tokenizer: PromptTokenizer,
  question: string,
  options: PromptOptions,
): { before: string; after: string } {
  const messages = [
    ...(options.systemPrompt === undefined
      ? []
      : [{ role: 'system', content: [{ type: 'text', text: options.systemPrompt }] }]),
    // A text item first, as for a video in the Python processor: the template then writes `User: ` with a space.
    {
      role: 'user',
      content: [
        { type: 'text', text: mediaMarker },
        { type: 'text', text: `\n\n${question}` },
      ],
    },
  ];
  const rendered = tokenizer.hasChatTemplate
    ? tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true })
    : `${smolvlm2Tokens.imStart}User: ${mediaMarker}\n\n${question}${smolvlm2Tokens.endOfUtterance}\nAssistant:`;
  const at = rendered.indexOf(mediaMarker);
  return { before: rendered.slice(0, at), after: rendered.slice(at + mediaMarker.length) };
}

/** Chat header + media text. */
export function smolvlm2ContextText(stream: TokenStream, tokenizer: PromptTokenizer, options: PromptOptions): string {
  return userTurn(tokenizer, '', options).before + smolvlm2MediaText(stream, options);
}

/** Outro + question + end of the user turn + `Assistant:` (+ ` {assistantPrefix}`). */
export function smolvlm2QuestionText(question: string, tokenizer: PromptTokenizer, options: PromptOptions): string {
  const after = userTurn(tokenizer, question, options).after;
  const prefix = options.assistantPrefix?.trim();
  return prefix ? `${after} ${prefix}` : after;
}

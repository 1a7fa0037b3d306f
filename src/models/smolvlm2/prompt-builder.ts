/**
 * @file SmolVLM2's video prompt for a token stream. The user turn comes from the chat template; its media part is
 * the Python processor's video expansion:
 *
 *   intro   "You are provided the following series of {num2words(frames)} frames from a {H:MM:SS} [H:MM:SS] video.\n"
 *   frames  "\nFrame from MM:SS:" <fake_token_around_image><global-img> <image>×count <fake_token_around_image>
 *   outro   "\n\n" (then the question)
 *
 * Rule for a visual segment of the stream: a segment computed from exactly one frame gets the per-frame label
 * `\nFrame from MM:SS:`; a segment spanning several frames (pooled, sampled, memory) gets `\nFrames from MM:SS to
 * MM:SS:`; a composed image (`isImage`) gets `\nImage of frames from MM:SS to MM:SS:` (or `\nImage from MM:SS:`).
 * Each is followed by the single-image wrapper around exactly `count` `<image>` tokens. Text segments are written
 * verbatim where they stand. The frame count in the intro is the number of distinct source frames in the stream.
 */
import type { TokenStream, VisualSegment } from '../../core/token-stream.js';
import type { PromptOptions, PromptTokenizer } from '../model-family.js';
import { numberToWords } from '../number-words.js';
import { hoursMinutesSeconds, minutesSeconds } from '../timestamp-text.js';
import { smolvlm2Tokens } from './special-tokens.js';

const mediaMarker = '\u{F0000}vidtok-media\u{F0000}';

function segmentLabel(segment: VisualSegment): string {
  const first = segment.timestamps[0] ?? 0;
  const last = segment.timestamps.at(-1) ?? first;
  const span = segment.timestamps.length > 1 && minutesSeconds(first) !== minutesSeconds(last);
  if (segment.isImage) return span ? `\nImage of frames from ${minutesSeconds(first)} to ${minutesSeconds(last)}:` : `\nImage from ${minutesSeconds(first)}:`;
  if (segment.timestamps.length <= 1) return `\nFrame from ${minutesSeconds(first)}:`;
  return span ? `\nFrames from ${minutesSeconds(first)} to ${minutesSeconds(last)}:` : `\nFrames from ${minutesSeconds(first)}:`;
}

/** The media text of a stream: intro, then every segment in order with its label and wrapper. */
export function smolvlm2MediaText(stream: TokenStream, options: PromptOptions): string {
  const frames = new Set<number>();
  let lastTimestamp = 0;
  for (const segment of stream.segments) {
    if (segment.type !== 'visual') continue;
    segment.frameIndices.forEach((index, position) => frames.add(index ?? segment.timestamps[position]!));
    lastTimestamp = Math.max(lastTimestamp, ...segment.timestamps);
  }
  const duration = options.videoDuration ?? lastTimestamp;
  let text = `You are provided the following series of ${numberToWords(frames.size)} frames from a ${hoursMinutesSeconds(duration)} [H:MM:SS] video.\n`;
  const { fakeAroundImage, globalImage, image } = smolvlm2Tokens;
  for (const segment of stream.segments) {
    if (segment.type === 'text') {
      text += segment.text;
      continue;
    }
    text += `${segmentLabel(segment)}${fakeAroundImage}${globalImage}${image.repeat(segment.count)}${fakeAroundImage}`;
  }
  return text;
}

function userTurn(tokenizer: PromptTokenizer, question: string, options: PromptOptions): { before: string; after: string } {
  const messages = [
    ...(options.systemPrompt === undefined ? [] : [{ role: 'system', content: [{ type: 'text', text: options.systemPrompt }] }]),
    // A text item first, as for a video in the Python processor: the template then writes `User: ` with a space.
    { role: 'user', content: [{ type: 'text', text: mediaMarker }, { type: 'text', text: `\n\n${question}` }] },
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

/** Outro + question + end of the user turn + `Assistant:`. */
export function smolvlm2QuestionText(question: string, tokenizer: PromptTokenizer, options: PromptOptions): string {
  return userTurn(tokenizer, question, options).after;
}

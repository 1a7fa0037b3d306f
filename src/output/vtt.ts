/**
 * @file WebVTT (.vtt) writer. Starts with `WEBVTT`; cues in start order with `HH:MM:SS.mmm` times; `&`, `<` and `>`
 * are escaped as character references (so cue text can never contain `-->` or markup) and blank lines are removed.
 * Overlapping cues are valid WebVTT. Cues with empty text are left out.
 */
import { sortCues, type CaptionDocument } from './caption-document.js';
import { assertCueTimes, formatTimestamp } from './timestamp.js';

/** Escapes cue text per the WebVTT cue text syntax. */
export function escapeVttText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Text lines of a cue, escaped, without blank lines. */
export function vttCueLines(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => escapeVttText(line.trim()))
    .filter((line) => line.length > 0);
}

/** Formats a document as WebVTT. */
export function formatVtt(document: CaptionDocument): string {
  let output = 'WEBVTT\n';
  for (const cue of sortCues(document.cues)) {
    assertCueTimes(cue.start, cue.end, document.input);
    const lines = vttCueLines(cue.text);
    if (lines.length === 0) continue;
    output += `\n${formatTimestamp(cue.start, '.')} --> ${formatTimestamp(cue.end, '.')}\n${lines.join('\n')}\n`;
  }
  return output;
}

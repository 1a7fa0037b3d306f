/**
 * @file JSON Lines writer: one object per cue, in start order: `{"start":s,"end":s,"text":"..."}` (times in seconds,
 * rounded to the millisecond). Easy to stream into other tools (jq, pandas, vector stores).
 */
import { sortCues, type CaptionDocument } from './caption-document.js';
import { assertCueTimes } from './timestamp.js';

/** Seconds rounded to the millisecond, as written in the JSON outputs. */
export function roundToMilliseconds(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/** Formats a document as JSON Lines. */
export function formatJsonl(document: CaptionDocument): string {
  return sortCues(document.cues)
    .map((cue) => {
      assertCueTimes(cue.start, cue.end, document.input);
      return `${JSON.stringify({ start: roundToMilliseconds(cue.start), end: roundToMilliseconds(cue.end), text: cue.text })}\n`;
    })
    .join('');
}

/**
 * @file JSON writer: one document per video, `{ input, key, metadata, captions: [{start,end,text}] }`, in the
 * shape of the VSS `events[{start_time,end_time,description}]` output but with plain names.
 */
import { sortCues, type CaptionDocument } from './caption-document.js';
import { roundToMilliseconds } from './jsonl.js';
import { assertCueTimes } from './timestamp.js';

/** Formats a document as pretty-printed JSON (two-space indent, trailing newline). */
export function formatJson(document: CaptionDocument): string {
  const captions = sortCues(document.cues).map((cue) => {
    assertCueTimes(cue.start, cue.end, document.input);
    return { start: roundToMilliseconds(cue.start), end: roundToMilliseconds(cue.end), text: cue.text };
  });
  return `${JSON.stringify({ input: document.input, key: document.key, metadata: document.metadata, captions }, null, 2)}\n`;
}

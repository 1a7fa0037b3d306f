/**
 * @file SubRip (.srt) writer. Cues are numbered from 1 in start order; times are `HH:MM:SS,mmm`. SRT has no escape
 * syntax, so text is normalised instead: CR/LF unified, blank lines removed (a blank line ends a cue) and a text
 * line that looks like a timing line (`-->`) is defused. Cues with empty text are left out.
 */
import { sortCues, type CaptionDocument } from './caption-document.js';
import { assertCueTimes, formatTimestamp } from './timestamp.js';

/** Text lines of a cue that cannot break the SRT structure. */
export function srtCueLines(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trim().replaceAll('-->', '->'))
    .filter((line) => line.length > 0);
}

/** Formats a document as SRT. */
export function formatSrt(document: CaptionDocument): string {
  const blocks: string[] = [];
  for (const cue of sortCues(document.cues)) {
    assertCueTimes(cue.start, cue.end, document.input);
    const lines = srtCueLines(cue.text);
    if (lines.length === 0) continue;
    blocks.push(
      `${blocks.length + 1}\n${formatTimestamp(cue.start, ',')} --> ${formatTimestamp(cue.end, ',')}\n${lines.join('\n')}\n`,
    );
  }
  return blocks.join('\n');
}

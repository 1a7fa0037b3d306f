/**
 * @file Minimal, independent SRT and WebVTT readers for the tests: they parse what the writers produce back into
 * cues (times in seconds) so tests check round trips instead of copying the writers' output.
 */

export interface ParsedCue {
  readonly index?: number;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

function parseTime(text: string, separator: ',' | '.'): number {
  const match = new RegExp(`^(\\d{2,}):([0-5]\\d):([0-5]\\d)\\${separator}(\\d{3})$`).exec(text);
  if (!match) throw new Error(`bad timestamp '${text}'`);
  const [, hours, minutes, seconds, milliseconds] = match;
  return Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds) + Number(milliseconds) / 1000;
}

export function parseSrt(text: string): ParsedCue[] {
  if (text.trim() === '') return [];
  return text
    .trimEnd()
    .split(/\n\n/)
    .map((block) => {
      const lines = block.split('\n');
      const [index, timing, ...rest] = lines;
      const [start, end] = (timing ?? '').split(' --> ');
      if (!/^\d+$/.test(index ?? '')) throw new Error(`bad cue number '${index}'`);
      if (rest.length === 0) throw new Error(`cue ${index} has no text`);
      return {
        index: Number(index),
        start: parseTime(start ?? '', ','),
        end: parseTime(end ?? '', ','),
        text: rest.join('\n'),
      };
    });
}

export function parseVtt(text: string): ParsedCue[] {
  const blocks = text.trimEnd().split(/\n\n/);
  if (blocks[0] !== 'WEBVTT') throw new Error('missing WEBVTT header');
  return blocks.slice(1).map((block) => {
    const [timing, ...rest] = block.split('\n');
    const [start, end] = (timing ?? '').split(' --> ');
    if (rest.length === 0) throw new Error('cue without text');
    for (const line of rest) if (line.includes('-->')) throw new Error(`cue text contains '-->': ${line}`);
    const decoded = rest.join('\n').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
    return { start: parseTime(start ?? '', '.'), end: parseTime(end ?? '', '.'), text: decoded };
  });
}

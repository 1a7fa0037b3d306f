/**
 * @file SRT and WebVTT writers: timestamps (parsed back independently), ordering, overlap, escaping, edge values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSrt, formatTimestamp, formatVtt, type CaptionDocument } from '../../src/output/index.js';
import { UsageError } from '../../src/errors/index.js';
import { parseSrt, parseVtt } from './subtitle-parsers.js';

const documentOf = (cues: CaptionDocument['cues']): CaptionDocument => ({
  input: 'clip.mp4',
  key: 'k',
  cues,
  metadata: {},
});

test('timestamps: rounding, carries and hours past 99', () => {
  assert.equal(formatTimestamp(0, ','), '00:00:00,000');
  assert.equal(formatTimestamp(59.9996, ','), '00:01:00,000'); // rounds up across the minute
  assert.equal(formatTimestamp(3599.9994, '.'), '00:59:59.999');
  assert.equal(formatTimestamp(3661.5, '.'), '01:01:01.500');
  assert.equal(formatTimestamp(360000 + 0.001, ','), '100:00:00,001');
  assert.equal(formatTimestamp(0.1 + 0.2, ','), '00:00:00,300');
  assert.throws(() => formatTimestamp(-1, ','), UsageError);
  assert.throws(() => formatTimestamp(Number.NaN, '.'), UsageError);
});

test('srt: cues sorted by start, numbered from 1, overlapping allowed, times round-trip to the millisecond', () => {
  const cues = [
    { start: 8, end: 18, text: 'second chunk' },
    { start: 0, end: 10, text: 'first chunk' },
    { start: 16, end: 21.2345, text: 'last, shorter chunk' },
  ];
  const parsed = parseSrt(formatSrt(documentOf(cues)));
  assert.deepEqual(
    parsed.map((cue) => cue.index),
    [1, 2, 3],
  );
  assert.deepEqual(
    parsed.map((cue) => cue.text),
    ['first chunk', 'second chunk', 'last, shorter chunk'],
  );
  assert.deepEqual(
    parsed.map((cue) => [cue.start, cue.end]),
    [
      [0, 10],
      [8, 18],
      [16, 21.235],
    ],
  );
  assert.ok(parsed[0]!.end > parsed[1]!.start, 'overlap kept');
});

test('srt: blank lines inside text cannot split a cue; empty cues are left out; CRLF normalised', () => {
  const cues = [
    { start: 0, end: 1, text: 'line one\r\n\r\n\nline two' },
    { start: 1, end: 2, text: '   ' },
    { start: 2, end: 3, text: 'an arrow --> inside' },
  ];
  const srt = formatSrt(documentOf(cues));
  const parsed = parseSrt(srt);
  assert.equal(parsed.length, 2);
  assert.equal(parsed[0]!.text, 'line one\nline two');
  assert.equal(parsed[1]!.index, 2);
  assert.ok(!parsed[1]!.text.includes('-->'));
  assert.ok(!srt.includes('\r'));
});

test('vtt: header, dot separator, escaping of & < > and no --> in cue text', () => {
  const cues = [
    { start: 12.5, end: 14, text: 'a <b>bold</b> claim & more --> here' },
    { start: 1.001, end: 3, text: 'first' },
  ];
  const vtt = formatVtt(documentOf(cues));
  assert.ok(vtt.startsWith('WEBVTT\n\n'));
  assert.match(vtt, /00:00:01\.001 --> 00:00:03\.000/);
  const parsed = parseVtt(vtt);
  assert.deepEqual(
    parsed.map((cue) => cue.text),
    ['first', 'a <b>bold</b> claim & more --> here'],
  );
  assert.deepEqual(
    parsed.map((cue) => [cue.start, cue.end]),
    [
      [1.001, 3],
      [12.5, 14],
    ],
  );
  assert.ok(!vtt.includes('<b>'));
});

test('vtt and srt: an empty document is valid', () => {
  assert.equal(formatVtt(documentOf([])), 'WEBVTT\n');
  assert.equal(formatSrt(documentOf([])), '');
});

test('invalid cue times are rejected with a typed error naming the input', () => {
  assert.throws(
    () => formatSrt(documentOf([{ start: 5, end: 4, text: 'x' }])),
    (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /clip\.mp4/);
      return true;
    },
  );
});

/**
 * @file JSON Lines and JSON writers, format option parsing, and writing every format for one document.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  formatJson,
  formatJsonl,
  parseCaptionFormats,
  writeCaptionOutputs,
  type CaptionDocument,
} from '../../src/output/index.js';
import { UsageError } from '../../src/errors/index.js';
import { scratchDir } from '../helpers/paths.js';

const document: CaptionDocument = {
  input: '/videos/a "quoted" name.mp4',
  key: 'abc123',
  cues: [
    { start: 2.0004, end: 4, text: 'later\nwith "quotes" and ünïcode' },
    { start: 0, end: 2, text: 'first' },
  ],
  metadata: { model: 'tiny', frames: 8 },
};

test('jsonl: one parseable object per cue, in start order, times rounded to ms', () => {
  const lines = formatJsonl(document).trimEnd().split('\n');
  assert.equal(lines.length, 2);
  const parsed = lines.map((line) => JSON.parse(line) as { start: number; end: number; text: string });
  assert.deepEqual(parsed, [
    { start: 0, end: 2, text: 'first' },
    { start: 2, end: 4, text: 'later\nwith "quotes" and ünïcode' },
  ]);
});

test('json: input, key, metadata and sorted captions', () => {
  const parsed = JSON.parse(formatJson(document)) as Record<string, unknown>;
  assert.equal(parsed.input, document.input);
  assert.equal(parsed.key, 'abc123');
  assert.deepEqual(parsed.metadata, { model: 'tiny', frames: 8 });
  assert.deepEqual(
    (parsed.captions as { text: string }[]).map((cue) => cue.text),
    ['first', 'later\nwith "quotes" and ünïcode'],
  );
});

test('format option: comma lists, case, duplicates, unknown names', () => {
  assert.deepEqual(parseCaptionFormats('jsonl,json,srt,vtt'), ['jsonl', 'json', 'srt', 'vtt']);
  assert.deepEqual(parseCaptionFormats(['SRT', 'vtt,srt']), ['srt', 'vtt']);
  assert.throws(() => parseCaptionFormats('srt,ass'), UsageError);
  assert.throws(() => parseCaptionFormats(''), UsageError);
});

test('writeCaptionOutputs writes each format once and rewriting gives identical bytes', async () => {
  const directory = scratchDir('outputs');
  const base = join(directory, 'video.abc12345');
  const first = await writeCaptionOutputs(document, base, ['jsonl', 'json', 'srt', 'vtt']);
  const snapshot = first.map((output) => readFileSync(output.path));
  const second = await writeCaptionOutputs(document, base, ['jsonl', 'json', 'srt', 'vtt']);
  assert.deepEqual(
    second.map((output) => readFileSync(output.path)),
    snapshot,
  );
  assert.deepEqual(readdirSync(directory).sort(), [
    'video.abc12345.json',
    'video.abc12345.jsonl',
    'video.abc12345.srt',
    'video.abc12345.vtt',
  ]);
});

/**
 * @file Progress renderers: the terminal bar (counts, ETA from the mean time per processed video, failures on their
 * own line) and JSON lines (one parseable event per line).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createProgressRenderer, formatEta } from '../../src/cli/progress/index.js';

function collector(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream, text: () => text };
}

test('terminal bar: counts, ETA, failures on their own line, final newline', () => {
  const { stream, text } = collector();
  let clock = 0;
  const renderer = createProgressRenderer({ stream, interactive: true, now: () => clock });
  renderer.onEvent({ type: 'batch-start', total: 4 });
  renderer.onEvent({ type: 'item-start', input: '/videos/a.mp4' });
  clock = 5000;
  renderer.onEvent({ type: 'item-end', item: { input: '/videos/a.mp4', status: 'done' } });
  renderer.onEvent({ type: 'item-end', item: { input: '/videos/b.mp4', status: 'skipped' } });
  clock = 10_000;
  renderer.onEvent({ type: 'item-end', item: { input: '/videos/c.mp4', status: 'failed', reason: 'not a video' } });
  const lastLine = text().split('\r').at(-1)!;
  // 2 processed videos in 10 s -> 5 s each; 1 video left -> ETA 5 s
  assert.match(lastLine, /^\[#{18}\.{6}\] 3\/4 videos {2}1 done 1 skipped 1 failed {2}0 chunks {2}ETA 5s/);
  assert.match(text(), /\rfailed: \/videos\/c\.mp4: not a video\n/);
  renderer.finish();
  assert.ok(text().endsWith('\n'));
});

test('eta formatting', () => {
  assert.equal(formatEta(4.4), '4s');
  assert.equal(formatEta(65), '1m05s');
  assert.equal(formatEta(7380), '2h03m');
  assert.equal(formatEta(Number.NaN), '--');
});

test('json lines: one parseable event per line with a time', () => {
  const { stream, text } = collector();
  const renderer = createProgressRenderer({ stream, interactive: false, now: () => Date.UTC(2026, 0, 1) });
  renderer.onEvent({ type: 'batch-start', total: 1 });
  renderer.onEvent({ type: 'chunk', input: 'a.mp4', chunk: { start: 0, end: 10, text: 'a "quoted"\nline' } });
  renderer.finish();
  const lines = text()
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.equal(lines.length, 2);
  assert.deepEqual(lines[0], { time: '2026-01-01T00:00:00.000Z', type: 'batch-start', total: 1 });
  assert.deepEqual((lines[1]!.chunk as { text: string }).text, 'a "quoted"\nline');
});

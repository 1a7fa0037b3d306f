/**
 * @file The caption command's progress on stderr: a bar with counts and an ETA on a terminal (failures printed on
 * their own line), one JSON line per event otherwise; nothing on stdout either way.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { CommandContext } from '../../src/cli/command.js';
import { batchProgressRenderer } from '../../src/cli/commands/caption.js';
import { summarizeBatch } from '../../src/jobs/batch-summary.js';

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream, text: () => text };
}

function contextFor(interactive: boolean) {
  const stdout = capture();
  const stderr = capture();
  const context: CommandContext = { signal: new AbortController().signal, verbose: false, stdout: stdout.stream, stderr: stderr.stream, interactive };
  return { context, stdout, stderr };
}

const done = { input: '/v/a.mp4', status: 'done' as const, key: 'k1' };
const failed = { input: '/v/b.mp4', status: 'failed' as const, reason: 'b.mp4: not a video' };

test('terminal: a bar with counts and ETA, failures on their own line', () => {
  const { context, stdout, stderr } = contextFor(true);
  const progress = batchProgressRenderer(context);
  progress.onEvent({ type: 'batch-start', total: 3 });
  progress.onEvent({ type: 'item-start', input: done.input, key: 'k1' });
  progress.onEvent({ type: 'chunk', input: done.input, chunk: { start: 0, end: 10, text: 'x' } });
  progress.onEvent({ type: 'item-end', item: done });
  progress.onEvent({ type: 'item-end', item: failed });
  progress.finish();
  const text = stderr.text();
  assert.match(text, /\[#{8}-{16}\] 1\/3 videos, 1 chunks, \d+s elapsed, ETA \d+s/);
  assert.match(text, /\[#{16}-{8}\] 2\/3 videos/);
  assert.match(text, /\r\x1b\[Kfailed: \/v\/b\.mp4: b\.mp4: not a video\n/);
  assert.ok(text.endsWith('\r\x1b[K'), 'the bar is cleared at the end');
  assert.equal(stdout.text(), '');
});

test('not a terminal: one JSON line per event, batch-end with counts', () => {
  const { context, stdout, stderr } = contextFor(false);
  const progress = batchProgressRenderer(context);
  progress.onEvent({ type: 'batch-start', total: 2 });
  progress.onEvent({ type: 'item-end', item: done });
  progress.onEvent({ type: 'item-end', item: failed });
  progress.onEvent({ type: 'batch-end', summary: summarizeBatch([done, failed]) });
  progress.finish();
  const lines = stderr.text().trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.deepEqual(lines.map((line) => line.type), ['batch-start', 'item-end', 'item-end', 'batch-end']);
  assert.deepEqual([lines[3]!.total, lines[3]!.done, lines[3]!.failed], [2, 1, 1]);
  assert.ok(lines.every((line) => typeof line.elapsedMilliseconds === 'number'));
  assert.equal(stdout.text(), '');
});

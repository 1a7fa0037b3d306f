/**
 * @file Chunk planning edge rules and duration options.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planChunks, parseDurationOption } from '../../src/jobs/index.js';
import { InputRejectedError, UsageError } from '../../src/errors/index.js';

test('10 s chunks with 2 s overlap over 30 s: step 8, last chunk shorter', () => {
  assert.deepEqual(planChunks(30, { chunkSeconds: 10, overlapSeconds: 2 }), [
    { start: 0, end: 10 },
    { start: 8, end: 18 },
    { start: 16, end: 26 },
    { start: 24, end: 30 },
  ]);
});

test('exact fit ends with a full chunk and no zero-length tail', () => {
  assert.deepEqual(planChunks(20, { chunkSeconds: 10, overlapSeconds: 0 }), [
    { start: 0, end: 10 },
    { start: 10, end: 20 },
  ]);
  assert.deepEqual(planChunks(18, { chunkSeconds: 10, overlapSeconds: 2 }), [
    { start: 0, end: 10 },
    { start: 8, end: 18 },
  ]);
});

test('a video shorter than one chunk gives one chunk [0, duration]', () => {
  assert.deepEqual(planChunks(3.5, { chunkSeconds: 10, overlapSeconds: 2 }), [{ start: 0, end: 3.5 }]);
});

test('invariants over many durations: cover [0, d], positive length, each chunk adds new time', () => {
  for (const chunkSeconds of [1, 2.5, 10]) {
    for (const overlapSeconds of [0, 0.1, chunkSeconds / 2, chunkSeconds - 0.1]) {
      for (let duration = 0.05; duration < 40; duration += 0.37) {
        const chunks = planChunks(duration, { chunkSeconds, overlapSeconds });
        const rounded = Math.round(duration * 1e6) / 1e6;
        assert.equal(chunks[0]!.start, 0);
        assert.equal(chunks.at(-1)!.end, rounded);
        for (const [index, chunk] of chunks.entries()) {
          assert.ok(chunk.end > chunk.start, 'no zero-length chunk');
          assert.ok(chunk.end - chunk.start <= chunkSeconds + 1e-9);
          if (index > 0) {
            const previous = chunks[index - 1]!;
            assert.ok(chunk.end > previous.end, 'every chunk covers new time');
            assert.ok(chunk.start <= previous.end, 'no gap between chunks');
            assert.ok(Math.abs(chunk.start - previous.start - (chunkSeconds - overlapSeconds)) < 1e-6);
          }
        }
      }
    }
  }
});

test('float noise is rounded away', () => {
  const chunks = planChunks(1, { chunkSeconds: 0.3, overlapSeconds: 0.2 });
  assert.deepEqual(chunks.map((chunk) => chunk.start).slice(0, 4), [0, 0.1, 0.2, 0.3]);
});

test('invalid options and durations are typed errors', () => {
  assert.throws(() => planChunks(10, { chunkSeconds: 0, overlapSeconds: 0 }), UsageError);
  assert.throws(
    () => planChunks(10, { chunkSeconds: 5, overlapSeconds: 5 }),
    /--overlap 5: must be shorter than --chunk 5/,
  );
  assert.throws(() => planChunks(10, { chunkSeconds: 5, overlapSeconds: -1 }), UsageError);
  assert.throws(() => planChunks(10, { chunkSeconds: Number.NaN, overlapSeconds: 0 }), UsageError);
  assert.throws(() => planChunks(0, { chunkSeconds: 5, overlapSeconds: 0 }, 'empty.mp4'), InputRejectedError);
  assert.throws(() => planChunks(Number.POSITIVE_INFINITY, { chunkSeconds: 5, overlapSeconds: 0 }), InputRejectedError);
});

test('duration options', () => {
  assert.equal(parseDurationOption('10s', '--chunk'), 10);
  assert.equal(parseDurationOption('2', '--overlap'), 2);
  assert.equal(parseDurationOption('1.5s', '--chunk'), 1.5);
  assert.equal(parseDurationOption('500ms', '--chunk'), 0.5);
  assert.equal(parseDurationOption('1m30s', '--chunk'), 90);
  assert.equal(parseDurationOption('1h', '--chunk'), 3600);
  assert.equal(parseDurationOption(4, '--chunk'), 4);
  assert.throws(() => parseDurationOption('10 sec', '--chunk'), /--chunk '10 sec': not a duration/);
  assert.throws(() => parseDurationOption('-2s', '--overlap'), UsageError);
  assert.throws(() => parseDurationOption('s', '--chunk'), UsageError);
});

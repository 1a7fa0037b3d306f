/**
 * @file Local batches on p-queue: outputs, resume, redo on changed input or setting, failed items with reasons and
 * the partial-failure exit code, bounded concurrency, cancellation, progress events.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runLocalBatch, formatBatchSummary, type BatchEvent, type LocalBatchOptions } from '../../src/jobs/index.js';
import { AbortedError, ExitCode } from '../../src/errors/index.js';
import { scratchDir, sharedVideo } from '../helpers/paths.js';
import { createHashingProcessor, expectedChunkText } from './fixtures/hashing-processor.js';
import { parseSrt } from '../output/subtitle-parsers.js';

const keyParameters = { pipeline: 'test-pipeline@1', model: 'test-model@1', parameters: { prompt: 'Describe.' } };

function setup(): { root: string; out: string } {
  const root = scratchDir('local-batch');
  const out = join(root, 'out');
  for (const name of ['boat.mp4', 'yoga.mp4', 'making_cake.mp4']) {
    copyFileSync(sharedVideo(name), join(root, name));
  }
  return { root, out };
}

function options(out: string, extra: Partial<LocalBatchOptions> = {}): LocalBatchOptions {
  return {
    outDir: out,
    formats: ['jsonl', 'srt'],
    chunking: { mode: 'fixed', chunkSeconds: 2, overlapSeconds: 0.5 },
    keyParameters,
    processor: createHashingProcessor({ durationSeconds: 5 }),
    concurrency: 2,
    ...extra,
  };
}

test('captions every video, writes outputs named after each video, and a rerun skips them all', async () => {
  const { root, out } = setup();
  const inputs = ['boat.mp4', 'yoga.mp4', 'making_cake.mp4'].map((name) => join(root, name));
  const first = await runLocalBatch(inputs, options(out));
  assert.equal(first.done, 3);
  assert.equal(first.exitCode, ExitCode.ok);
  const boat = first.items.find((item) => item.input.endsWith('boat.mp4'))!;
  const srtPath = boat.outputs!.find((path) => path.endsWith('.srt'))!;
  assert.match(srtPath, /\/boat\.srt$/, 'named after the video, so players load it beside it');
  const sha = createHash('sha256')
    .update(readFileSync(join(root, 'boat.mp4')))
    .digest('hex');
  const cues = parseSrt(readFileSync(srtPath, 'utf8'));
  // 5 s at chunk 2 s / overlap 0.5 s: starts 0, 1.5, 3 (the third reaches the end)
  assert.deepEqual(
    cues.map((cue) => [cue.start, cue.end]),
    [
      [0, 2],
      [1.5, 3.5],
      [3, 5],
    ],
  );
  assert.deepEqual(
    cues.map((cue) => cue.text),
    [0, 1, 2].map((index) => expectedChunkText(index, sha)),
  );
  assert.equal(readdirSync(out).length, 9, '2 formats + marker per video, nothing else');

  let executions = 0;
  const second = await runLocalBatch(
    inputs,
    options(out, { processor: createHashingProcessor({ onStart: () => (executions += 1) }) }),
  );
  assert.equal(second.skipped, 3);
  assert.equal(executions, 0);
  assert.equal(second.exitCode, ExitCode.ok);
});

test('changed content, changed setting, deleted output or a new format redo exactly the affected videos', async () => {
  const { root, out } = setup();
  const boat = join(root, 'boat.mp4');
  const yoga = join(root, 'yoga.mp4');
  await runLocalBatch([boat, yoga], options(out));
  writeFileSync(yoga, Buffer.concat([readFileSync(yoga), Buffer.from('changed')]));
  const afterEdit = await runLocalBatch([boat, yoga], options(out));
  assert.deepEqual(
    afterEdit.items.map((item) => item.status),
    ['skipped', 'done'],
  );

  const otherChunks = await runLocalBatch(
    [boat],
    options(out, { chunking: { mode: 'fixed', chunkSeconds: 3, overlapSeconds: 0 } }),
  );
  assert.equal(otherChunks.done, 1);

  const boatSrt = afterEdit.items[0]!.outputs!.find((path) => path.endsWith('.srt'))!;
  writeFileSync(boatSrt, 'tampered');
  const afterTamper = await runLocalBatch([boat], options(out));
  assert.equal(afterTamper.done, 1);
  assert.notEqual(readFileSync(boatSrt, 'utf8'), 'tampered');

  const moreFormats = await runLocalBatch([boat], options(out, { formats: ['jsonl', 'srt', 'vtt'] }));
  assert.equal(moreFormats.done, 1);
});

test('bad entries never stop the batch: reported with reasons, exit code partialFailure', async () => {
  const { root, out } = setup();
  const bad = join(root, 'bad.mp4');
  writeFileSync(bad, 'BAD not a video');
  const events: BatchEvent[] = [];
  const summary = await runLocalBatch(
    [join(root, 'boat.mp4'), bad, join(root, 'missing.mp4'), join(root, 'yoga.mp4')],
    {
      ...options(out),
      onEvent: (event) => events.push(event),
    },
  );
  assert.equal(summary.done, 2);
  assert.equal(summary.failed, 2);
  assert.equal(summary.exitCode, ExitCode.partialFailure);
  const reasons = Object.fromEntries(
    summary.items.filter((item) => item.status === 'failed').map((item) => [item.input, item]),
  );
  assert.equal(reasons[bad]!.code, 'INPUT_REJECTED');
  assert.match(reasons[bad]!.reason!, /not a video file/);
  assert.match(reasons[join(root, 'missing.mp4')]!.reason!, /no such file/);
  const text = formatBatchSummary(summary);
  assert.match(text, /^4 videos: 2 done, 0 skipped, 2 failed\n/);
  assert.match(text, /failed: .*bad\.mp4: .*not a video file/);
  assert.equal(events[0]!.type, 'batch-start');
  assert.equal(events.at(-1)!.type, 'batch-end');
  assert.equal(events.filter((event) => event.type === 'item-end').length, 4);
  assert.ok(events.some((event) => event.type === 'chunk'));
  assert.ok(!readdirSync(out).some((name) => name.startsWith('bad.')), 'no output for the failed video');
});

test('concurrency is actually bounded (and used)', async () => {
  const root = scratchDir('concurrency');
  const inputs = Array.from({ length: 8 }, (_, index) => {
    const path = join(root, `v${index}.mp4`);
    writeFileSync(path, `video ${index}`);
    return path;
  });
  let running = 0;
  let peak = 0;
  const processor = createHashingProcessor({
    durationSeconds: 2,
    millisecondsPerChunk: 15,
    onStart: () => {
      running += 1;
      peak = Math.max(peak, running);
    },
    onEnd: () => (running -= 1),
  });
  const summary = await runLocalBatch(inputs, options(join(root, 'out'), { processor, concurrency: 3 }));
  assert.equal(summary.done, 8);
  assert.equal(peak, 3);
});

test('cancelling aborts running videos, starts no more and rejects with AbortedError; nothing partial is left', async () => {
  const root = scratchDir('abort');
  const inputs = Array.from({ length: 6 }, (_, index) => {
    const path = join(root, `v${index}.mp4`);
    writeFileSync(path, `video ${index}`);
    return path;
  });
  const controller = new AbortController();
  let started = 0;
  const processor = createHashingProcessor({
    durationSeconds: 20,
    millisecondsPerChunk: 50,
    onStart: () => {
      started += 1;
      if (started === 2) setTimeout(() => controller.abort(), 30);
    },
  });
  const out = join(root, 'out');
  await assert.rejects(
    runLocalBatch(inputs, options(out, { processor, concurrency: 2, signal: controller.signal })),
    AbortedError,
  );
  assert.equal(started, 2);
  let leftovers: string[] = [];
  try {
    leftovers = readdirSync(out);
  } catch {
    leftovers = [];
  }
  assert.deepEqual(leftovers, []);
});

test('invalid options are usage errors before any work', async () => {
  await assert.rejects(runLocalBatch([], options('/tmp/x', { concurrency: 0 })), /--concurrency 0/);
  await assert.rejects(
    runLocalBatch([], options('/tmp/x', { chunking: { mode: 'fixed', chunkSeconds: 2, overlapSeconds: 3 } })),
    /--overlap 3/,
  );
});

/**
 * @file Caption output names: `<stem>.<format>` beside each other under --out so players load them next to the video;
 * the content hash only where two inputs would collide (same stem in one batch, or an earlier run's outputs of another
 * file with other content); resume still keyed by content (a changed file is redone under the same name).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { collidingInputs, runLocalBatch, type LocalBatchOptions } from '../../src/jobs/index.js';
import { scratchDir, sharedVideo } from '../helpers/paths.js';
import { createHashingProcessor } from '../jobs/fixtures/hashing-processor.js';

const options = (out: string): LocalBatchOptions => ({
  outDir: out,
  formats: ['srt', 'vtt'],
  chunking: { mode: 'fixed', chunkSeconds: 2, overlapSeconds: 0 },
  keyParameters: { pipeline: 'test@1', model: 'test@1', parameters: {} },
  processor: createHashingProcessor({ durationSeconds: 4 }),
  concurrency: 1,
});

const content8 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 8);

test('collidingInputs: only inputs whose stem another input shares', () => {
  assert.deepEqual([...collidingInputs(['/a/clip.mp4', '/b/clip.mov', '/a/other.mp4'])].sort(), [
    '/a/clip.mp4',
    '/b/clip.mov',
  ]);
  assert.deepEqual([...collidingInputs(['/a/clip.mp4', '/a/clip.mp4'])], [], 'the same path twice is one video');
});

test('outputs are named after the video; the content hash only where names would collide', async () => {
  const root = scratchDir('output-naming');
  const out = join(root, 'out');
  mkdirSync(join(root, 'a'));
  mkdirSync(join(root, 'b'));
  const single = join(root, 'boat.mp4');
  const first = join(root, 'a', 'clip.mp4');
  const second = join(root, 'b', 'clip.mp4');
  copyFileSync(sharedVideo('boat.mp4'), single);
  copyFileSync(sharedVideo('yoga.mp4'), first);
  copyFileSync(sharedVideo('making_cake.mp4'), second);

  const batch = await runLocalBatch([single, first, second], options(out));
  assert.equal(batch.done, 3);
  assert.deepEqual(
    readdirSync(out).sort(),
    [
      'boat.done.json',
      'boat.srt',
      'boat.vtt',
      `clip.${content8(first)}.done.json`,
      `clip.${content8(first)}.srt`,
      `clip.${content8(first)}.vtt`,
      `clip.${content8(second)}.done.json`,
      `clip.${content8(second)}.srt`,
      `clip.${content8(second)}.vtt`,
    ].sort(),
  );

  // A later run with only one of them: the plain name is free, so it is used; another file with the same stem and
  // other content then gets the hash instead of overwriting it.
  const later = join(root, 'later');
  assert.equal((await runLocalBatch([first], options(later))).done, 1);
  assert.equal((await runLocalBatch([second], options(later))).done, 1);
  assert.deepEqual(
    readdirSync(later).sort(),
    [
      'clip.done.json',
      'clip.srt',
      'clip.vtt',
      `clip.${content8(second)}.done.json`,
      `clip.${content8(second)}.srt`,
      `clip.${content8(second)}.vtt`,
    ].sort(),
  );

  // Resume is keyed by content: unchanged → skipped; changed → redone under the same name.
  assert.equal((await runLocalBatch([single], options(out))).skipped, 1);
  writeFileSync(single, Buffer.concat([readFileSync(single), Buffer.from('changed')]));
  const redo = await runLocalBatch([single], options(out));
  assert.equal(redo.done, 1);
  assert.deepEqual(redo.items[0]!.outputs!.map((path) => path.slice(out.length + 1)).sort(), ['boat.srt', 'boat.vtt']);
});

/**
 * @file Cancelling `inspectVideo` mid-run: it rejects with AbortedError and leaves no ffmpeg process behind.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AbortedError, VidtokError } from '../../src/errors/index.js';
import { activeChildProcessIds } from '../../src/ingest/ffmpeg-adapter.js';
import { inspectVideo } from '../../src/inspect/inspect-video.js';
import { sharedVideo } from '../helpers/paths.js';

test('an abort during the second pipeline stops the run with AbortedError and kills the decoder', async () => {
  const controller = new AbortController();
  let started = 0;
  const run = inspectVideo(sharedVideo('yoga.mp4'), {
    pipelines: ['uniform', 'slowfast-llava'],
    signal: controller.signal,
    onProgress: (event) => {
      if (event.type === 'pipeline-start' && event.at === 2) {
        started = Date.now();
        setTimeout(() => controller.abort(new Error('test abort')), 150);
      }
    },
  });
  await assert.rejects(run, (error: unknown) => VidtokError.isInstance(error) && error instanceof AbortedError);
  assert.ok(started > 0, 'the second pipeline had started');
  const deadline = Date.now() + 5000;
  while (activeChildProcessIds().length > 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(activeChildProcessIds(), []);
});

test('an already aborted signal rejects before any work', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(inspectVideo(sharedVideo('yoga.mp4'), { signal: controller.signal }), AbortedError);
});

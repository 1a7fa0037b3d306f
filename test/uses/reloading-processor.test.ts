/**
 * @file The shared caption processor of batches and workers: the model is opened on first use, a job whose model
 * process was killed fails with a retryable runner error, and the next job runs on a freshly opened model instead of
 * the dead one. A job for another model is refused with a retryable error (another worker may serve it). Once the
 * worker is shutting down, a failing job is reported as aborted (to be retried), not as failed for good.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { AbortedError, ModelNotFoundError, VidtokError } from '../../src/errors/index.js';
import type { CaptionTask } from '../../src/jobs/caption-processor.js';
import {
  captionKeyParameters,
  captionSettings,
  createReloadingCaptionProcessor,
  isRunnerFailure,
  modelIdentity,
  openVideoModel,
  type ReloadingCaptionProcessor,
} from '../../src/uses/index.js';
import { makeTextFile } from '../helpers/media.js';
import { scratchDir } from '../helpers/paths.js';
import { smolvlm2Fixture, writeSmallPipeline, yogaClip } from './use-fixtures.js';

let models: ReloadingCaptionProcessor | undefined;
after(async () => {
  await models?.dispose();
});

test('a dead model process is replaced for the next job', async () => {
  const identity = await modelIdentity(smolvlm2Fixture, undefined, undefined);
  let opened = 0;
  const shutdown = new AbortController();
  models = createReloadingCaptionProcessor(
    () => {
      opened += 1;
      return openVideoModel(smolvlm2Fixture);
    },
    identity,
    { shutdownSignal: shutdown.signal },
  );
  assert.equal(models.loads, 0, 'nothing is opened before a job needs it');
  const scratch = scratchDir('reloading');
  const settings = await captionSettings({ pipeline: writeSmallPipeline(scratch, 2), maxNewTokens: 2 });
  const task: CaptionTask = {
    input: yogaClip,
    key: 'test-key',
    chunking: { mode: 'fixed', chunkSeconds: 20, overlapSeconds: 0 },
    keyParameters: captionKeyParameters(settings, identity),
  };
  const signal = new AbortController().signal;

  const first = await models.processor(task, { signal });
  assert.deepEqual(
    first.chunks.map((chunk) => [chunk.start, chunk.end]),
    [[0, 10]],
  );
  const runner = (await models.ready()).model.runner as { pid?: number };
  assert.ok(runner.pid, 'the model runs in a child process');
  const gone = new Promise<void>((resolvePromise) => {
    const poll = setInterval(() => {
      try {
        process.kill(runner.pid!, 0);
      } catch {
        clearInterval(poll);
        resolvePromise();
      }
    }, 20);
  });
  process.kill(runner.pid!, 'SIGKILL');
  await gone;

  await assert.rejects(models.processor(task, { signal }), (error: unknown) => {
    assert.ok(isRunnerFailure(error), String(error));
    return true;
  });
  const third = await models.processor(task, { signal });
  assert.deepEqual(
    third.chunks.map((chunk) => [chunk.start, chunk.end]),
    [[0, 10]],
  );
  assert.equal(models.loads, 2);
  assert.equal(opened, 2);
  assert.notEqual((await models.ready()).model.runner, runner, 'a new runner process serves the model');

  const otherModel: CaptionTask = { ...task, keyParameters: { ...task.keyParameters, model: 'someone/else:fp32' } };
  await assert.rejects(models.processor(otherModel, { signal }), (error: unknown) => {
    assert.ok(error instanceof ModelNotFoundError && error.retryable);
    assert.match(error.message, /this worker serves dir:smolvlm2-tiny#/);
    return true;
  });
  assert.equal(models.loads, 2, 'a refused job does not reload the model');

  const broken: CaptionTask = { ...task, input: await makeTextFile(`${scratch}/broken.mp4`) };
  let inputError: unknown;
  await assert.rejects(models.processor(broken, { signal }), (error: unknown) => {
    inputError = error;
    return VidtokError.isInstance(error) && !(error instanceof AbortedError) && !error.retryable;
  });
  shutdown.abort();
  await assert.rejects(models.processor(broken, { signal }), (error: unknown) => {
    assert.ok(error instanceof AbortedError, String(error));
    assert.equal((error.cause as Error).message, (inputError as Error).message);
    return true;
  });
});

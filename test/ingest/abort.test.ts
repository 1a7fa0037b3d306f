/**
 * @file Cancellation and deadlines: aborting mid-stream or breaking out of the loop kills ffmpeg promptly, deadlines
 * raise DeadlineExceededError, and no child process survives.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AbortedError, DeadlineExceededError } from '../../src/errors/index.js';
import { activeChildProcessIds, extractFrames, openFrames, probe } from '../../src/ingest/index.js';
import { ffmpegChildren, makeClip, survivingFfmpegChildren } from '../helpers/media.js';
import { scratchDir } from '../helpers/paths.js';

describe('abort and deadlines', () => {
  let clip: string;
  before(async () => {
    clip = await makeClip(join(scratchDir('ingest-abort'), 'long.mp4'), {
      width: 640,
      height: 360,
      fps: 25,
      seconds: 30,
    });
  });
  after(async () => assert.deepEqual(await survivingFfmpegChildren(), []));

  it('kills ffmpeg promptly when the signal aborts mid-stream', async () => {
    const controller = new AbortController();
    const source = openFrames(clip, { signal: controller.signal });
    let frames = 0;
    let abortedAt = 0;
    await assert.rejects(
      (async () => {
        for await (const frame of source) {
          void frame;
          frames += 1;
          if (frames === 3) {
            assert.equal(ffmpegChildren().length, 1, 'ffmpeg is running');
            abortedAt = Date.now();
            controller.abort();
          }
        }
      })(),
      AbortedError,
    );
    assert.ok(Date.now() - abortedAt < 2000, `stopped in ${Date.now() - abortedAt} ms`);
    assert.ok(frames < 100);
    assert.deepEqual(await survivingFfmpegChildren(1000), []);
  });

  it('kills ffmpeg when the consumer breaks out of the loop', async () => {
    const source = openFrames(clip, { size: { width: 64, height: 36 } });
    let frames = 0;
    for await (const frame of source) {
      void frame;
      frames += 1;
      if (frames === 5) break;
    }
    assert.deepEqual(await survivingFfmpegChildren(1000), []);
    assert.deepEqual(activeChildProcessIds(), []);
  });

  it('stops prefetched seek jobs when the consumer breaks out', async () => {
    const source = openFrames(clip, { count: 8, size: { width: 32, height: 18 } });
    assert.equal((await source.plan()).mode, 'seek');
    let frames = 0;
    for await (const frame of source) {
      void frame;
      frames += 1;
      if (frames === 2) break;
    }
    assert.deepEqual(await survivingFfmpegChildren(1000), []);
  });

  it('raises DeadlineExceededError when a decode or probe runs too long', async () => {
    await assert.rejects(
      extractFrames(clip, { realtime: true, limits: { decodeTimeoutMs: 400 } }),
      DeadlineExceededError,
    );
    await assert.rejects(probe(clip, { limits: { probeTimeoutMs: 1 } }), DeadlineExceededError);
    await assert.rejects(extractFrames(clip, { count: 4, signal: AbortSignal.abort() }), AbortedError);
    assert.deepEqual(await survivingFfmpegChildren(1000), []);
  });
});

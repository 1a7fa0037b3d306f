/**
 * @file Live sources: a stream on stdin (`-`) and a file played with `realtime` feed a slow consumer through the
 * drop-oldest buffer: drops are counted and reported per drop, the buffer never holds more than its capacity, and
 * the frames that arrive are in order. A udp:// stream from a local ffmpeg sender is read until the consumer stops.
 */
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { resolveBinaries } from '../../src/ingest/binaries.js';
import { startChild } from '../../src/ingest/ffmpeg-adapter.js';
import { LimitExceededError } from '../../src/errors/index.js';
import { DropOldestBuffer, extractFrames, openFrames } from '../../src/ingest/index.js';
import { makeClip, makeY4m, runFfmpeg, survivingFfmpegChildren } from '../helpers/media.js';
import { scratchDir } from '../helpers/paths.js';

describe('live sources', () => {
  let directory: string;
  let transportStream: string;
  let clip: string;
  before(async () => {
    directory = scratchDir('ingest-live');
    clip = await makeClip(join(directory, 'clip.mp4'), { width: 320, height: 240, fps: 25, seconds: 10 });
    transportStream = join(directory, 'clip.ts');
    await runFfmpeg(['-i', `file:${clip}`, '-c', 'copy', '-f', 'mpegts', `file:${transportStream}`]);
  });
  after(async () => assert.deepEqual(await survivingFfmpegChildren(), []));

  it('drops the oldest frames of a stdin stream when the consumer is slow', async () => {
    let dropEvents = 0;
    const rssBefore = process.memoryUsage().rss;
    const source = openFrames('-', {
      stdin: createReadStream(transportStream),
      bufferFrames: 4,
      onDrop: () => (dropEvents += 1),
    });
    const plan = await source.plan();
    assert.equal(plan.mode, 'live');
    const indices: number[] = [];
    let maxBuffered = 0;
    let peakRss = 0;
    for await (const frame of source) {
      indices.push(frame.index);
      assert.equal(frame.width, 320);
      assert.equal(frame.data.length, 320 * 240 * 3);
      maxBuffered = Math.max(maxBuffered, source.buffered);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      await sleep(25);
    }
    assert.ok(source.dropped > 0, 'frames were dropped');
    assert.equal(dropEvents, source.dropped);
    assert.equal(indices.length + source.dropped, 250, `${indices.length} delivered + ${source.dropped} dropped`);
    assert.ok(
      indices.every((index, position) => position === 0 || index > indices[position - 1]!),
      'in order',
    );
    assert.ok(maxBuffered <= 4, `buffer held ${maxBuffered}`);
    // 250 frames of 230 KB would be 57 MB if nothing were dropped; the buffer keeps at most 4.
    assert.ok(peakRss - rssBefore < 120 * 2 ** 20, `rss grew by ${((peakRss - rssBefore) / 2 ** 20).toFixed(1)} MB`);
    const info = await source.probe();
    assert.equal(info.isLive, true);
    assert.equal(info.width, 320);
  });

  it('plays a file at real speed with --realtime and drops for a slow consumer', async () => {
    const started = Date.now();
    const source = openFrames(clip, { realtime: true, end: 2, bufferFrames: 2, size: { width: 32, height: 24 } });
    assert.equal((await source.plan()).mode, 'live');
    let received = 0;
    for await (const frame of source) {
      assert.ok(frame.pts < 2);
      received += 1;
      await sleep(120);
    }
    const elapsed = Date.now() - started;
    assert.ok(elapsed > 1500, `played in real time (${elapsed} ms)`);
    assert.ok(source.dropped > 0);
    assert.equal(received + source.dropped, 50);
  });

  it('reads a udp:// MPEG-TS stream until the consumer stops', async () => {
    const { ffmpeg } = await resolveBinaries();
    const port = 20_000 + (process.pid % 20_000);
    // A live encoder (like a camera): libx264 into MPEG-TS repeats SPS/PPS at every keyframe, so a late joiner can decode.
    const sender = startChild(
      ffmpeg.path,
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-nostdin',
        '-re',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=320x240:rate=25:duration=20',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-g',
        '25',
        '-pix_fmt',
        'yuv420p',
        '-f',
        'mpegts',
        `udp://127.0.0.1:${port}?pkt_size=1316`,
      ],
      {
        operation: 'udp sender',
        input: clip,
        deadlineMs: 30_000,
      },
    );
    sender.stdout.resume();
    sender.stderr.resume();
    try {
      const source = openFrames(`udp://127.0.0.1:${port}`, { fps: 5, size: { width: 32, height: 24 } });
      const times: number[] = [];
      for await (const frame of source) {
        times.push(frame.pts);
        if (times.length === 5) break;
      }
      const info = await source.probe();
      assert.equal(info.isLive, true);
      assert.equal(info.width, 320);
      assert.equal(times.length, 5);
      const gaps = times.slice(1).map((time, index) => time - times[index]!);
      assert.ok(
        gaps.every((gap) => Math.abs(gap - 0.2) < 0.045),
        `5 fps spacing: ${gaps.join(', ')}`,
      );
    } finally {
      await sender.kill();
    }
  });

  it('applies the resolution caps to live sources from the decoder log', async () => {
    const wide = await makeY4m(join(directory, 'wide.y4m'), 8200, 16);
    await assert.rejects(extractFrames('-', { stdin: createReadStream(wide) }), (error: unknown) => {
      assert.ok(error instanceof LimitExceededError, String(error));
      assert.match(error.message, /^-: width/);
      return true;
    });
  });

  it('drop-oldest buffer keeps the newest items and counts drops', () => {
    const dropped: number[] = [];
    const buffer = new DropOldestBuffer<number>(3, (_total, item) => dropped.push(item));
    for (let item = 0; item < 10; item += 1) buffer.push(item);
    assert.equal(buffer.size, 3);
    assert.equal(buffer.dropped, 7);
    assert.deepEqual(dropped, [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual([buffer.shift(), buffer.shift(), buffer.shift(), buffer.shift()], [7, 8, 9, undefined]);
  });
});

/**
 * @file Live sources: a stream on stdin (`-`) and a file played with `realtime` feed a slow consumer through the
 * drop-oldest buffer: drops are counted and reported per drop, the buffer never holds more than its capacity, and
 * the frames that arrive are in order.
 */
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { DropOldestBuffer, openFrames } from '../../src/ingest/index.js';
import { makeClip, runFfmpeg, survivingFfmpegChildren } from '../helpers/media.js';
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
    const source = openFrames('-', { stdin: createReadStream(transportStream), bufferFrames: 4, onDrop: () => (dropEvents += 1) });
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
    assert.ok(indices.every((index, position) => position === 0 || index > indices[position - 1]!), 'in order');
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

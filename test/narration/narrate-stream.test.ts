/**
 * @file `narrateStream` with the random-weight SmolVLM2 fixture (text is gibberish: only events, times and bounds are
 * checked): scenes of the samples clip close at its known cuts, events come in a valid order, long scenes are
 * force-closed, memory stays bounded, any pipeline drives narration within its budget, a slow narrator on a realtime
 * source merges scenes (counted) or, with per-frame encodes, makes the live buffer drop frames (reported), an
 * abort cuts the narration cleanly, an HLS playlist is narrated, and an HTTP source that drops its connection is
 * reconnected.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BudgetExceededError, InputNotFoundError, UsageError } from '../../src/errors/index.js';
import { narrateStream, type NarrationEvent } from '../../src/narration/index.js';
import { loadModel, type VlmModel } from '../../src/runtime/index.js';
import { makeClip, runFfmpeg, survivingFfmpegChildren } from '../helpers/media.js';
import { scratchDir } from '../helpers/paths.js';
import { checkEventOrder, fixtureModel, sceneClip, transportStreamCopy, type SceneClip } from './narration-helpers.js';

// The local test servers listen on loopback, which the network policy refuses unless allowed (docs/security.md).
process.env.VIDTOK_ALLOWED_HOSTS = '127.0.0.1';

describe('narrateStream', () => {
  let model: VlmModel;
  let clip: SceneClip;
  let directory: string;

  before(async () => {
    directory = scratchDir('narrate-stream');
    [model, clip] = await Promise.all([loadModel(fixtureModel, { runner: 'child' }), sceneClip(directory)]);
  });

  after(async () => {
    await model?.dispose();
  });

  async function collect(
    source: string,
    options: Parameters<typeof narrateStream>[1],
    onEvent?: (event: NarrationEvent) => void,
  ): Promise<{ events: NarrationEvent[]; stream: ReturnType<typeof narrateStream> }> {
    const stream = narrateStream(source, { model, ...options });
    const events: NarrationEvent[] = [];
    for await (const event of stream) {
      events.push(event);
      onEvent?.(event);
    }
    return { events, stream };
  }

  it('narrates each scene of a clip with known cuts, in order, with the cut times', async () => {
    const fps = 2;
    const { events, stream } = await collect(clip.path, { fps, maxNewTokens: 6 });
    const ends = checkEventOrder(events);
    const interval = 1 / fps;
    const frame = 1 / clip.manifest.frameRate;
    assert.equal(
      ends.length,
      clip.manifest.cuts.length + 1,
      `scenes: ${ends.map((end) => `${end.start}-${end.end}`).join(', ')}`,
    );
    assert.equal(ends[0]!.start, 0);
    clip.manifest.cuts.forEach((cut, n) => {
      // A scene ends where the next starts: the first sampled frame of the next scene, within one sampling interval.
      assert.ok(Math.abs(ends[n]!.end - cut) <= interval + frame, `cut ${cut} s found at ${ends[n]!.end} s`);
      assert.equal(ends[n + 1]!.start, ends[n]!.end);
      assert.equal(ends[n]!.closedBy, 'cut');
    });
    const last = ends[ends.length - 1]!;
    assert.equal(last.closedBy, 'end-of-stream');
    assert.ok(
      last.end >= clip.manifest.duration - interval && last.end <= clip.manifest.duration + interval,
      `last scene ends at ${last.end}`,
    );
    assert.ok(
      ends.every(
        (end) =>
          !end.interrupted &&
          end.generatedTokens >= 1 &&
          end.generatedTokens <= 6 &&
          end.frames >= 1 &&
          end.frames <= 8,
      ),
    );
    assert.ok(ends.every((end) => end.latencyMilliseconds >= 0));
    // Later scenes are conditioned on the memory of earlier ones.
    assert.equal(ends[0]!.memoryTokens, 0);
    assert.ok(ends[1]!.memoryTokens > 0 && ends[1]!.memoryTokens <= 32);
    assert.ok(ends[2]!.memoryTokens > ends[1]!.memoryTokens);
    assert.equal(
      events.filter((event) => event.type === 'frame-dropped').length,
      0,
      'a file read at full speed drops nothing',
    );
    assert.equal(stream.stats.framesDropped, 0);
    assert.ok(
      Math.abs(stream.stats.framesReceived - clip.manifest.duration * fps) <= 1,
      `frames: ${stream.stats.framesReceived}`,
    );
    assert.deepEqual(await survivingFfmpegChildren(), []);
  });

  it('any pipeline drives narration through the stage graph; its budget is checked before the first frame', async () => {
    // uniform: 8 frames, every token (8 x 64 on the fixture); a whole-prompt budget of 300 cannot hold one scene.
    const events: NarrationEvent[] = [];
    await assert.rejects(
      (async () => {
        for await (const event of narrateStream(clip.path, {
          model,
          pipeline: 'uniform',
          budget: 300,
          maxNewTokens: 2,
        }))
          events.push(event);
      })(),
      (error: unknown) => error instanceof BudgetExceededError && /narrate with pipeline uniform/.test(error.message),
    );
    assert.deepEqual(events, [], 'refused before any frame was read');
    // Its own budget is for its output; the memories only have to fit the context window.
    const { events: run } = await collect(clip.path, {
      pipeline: 'uniform',
      memoryScenes: 1,
      memoryTokens: 8,
      maxNewTokens: 2,
    });
    const ends = checkEventOrder(run);
    assert.equal(ends.length, clip.manifest.cuts.length + 1);
    const perFrame = model.encoder().grid.h * model.encoder().grid.w;
    for (const [n, end] of ends.entries()) {
      assert.equal(end.frames, 8, "the pipeline's own frame count");
      assert.equal(end.frameTimes.length, 8);
      assert.ok(
        end.frameTimes.every((time) => time >= end.start && time < end.end),
        'frames come from the scene',
      );
      assert.equal(end.memoryTokens, n === 0 ? 0 : 8);
      assert.equal(end.visualTokens, end.memoryTokens + 8 * perFrame);
    }
  });

  it('force-closes scenes at maxSceneSeconds, keeps a bounded memory, and a file waits for a slow narrator', async () => {
    const path = await makeClip(join(directory, 'long-scene.mp4'), { seconds: 9, fps: 10, source: 'testsrc2' });
    const { events, stream } = await collect(path, {
      fps: 2,
      maxSceneSeconds: 2,
      minSceneSeconds: 1,
      sceneThreshold: 2,
      maxNewTokens: 8,
      memoryScenes: 2,
      memoryTokens: 16,
      maxSceneFrames: 3,
      maxPendingScenes: 1,
      stepDelayMilliseconds: 60,
    });
    const ends = checkEventOrder(events);
    assert.ok(ends.length >= 4, `${ends.length} scenes`);
    // A file read at full speed waits for a slow narrator: every scene is narrated on its own, none merged.
    assert.equal(ends.length, events.filter((event) => event.type === 'scene-start').length);
    assert.ok(ends.every((end) => end.mergedScenes.length === 0));
    assert.ok(stream.stats.peakPendingScenes <= 1);
    for (const end of ends.slice(0, -1)) {
      assert.equal(end.closedBy, 'max-length');
      assert.ok(end.end - end.start <= 2 + 0.5 + 1e-6, `scene ${end.start}-${end.end} longer than the limit`);
      assert.ok(end.frames <= 4, 'frames are decimated to maxSceneFrames');
    }
    assert.ok(
      ends.every((end) => end.memoryTokens <= 2 * 16),
      `memory tokens: ${ends.map((end) => end.memoryTokens).join(',')}`,
    );
    assert.equal(ends[ends.length - 1]!.memoryTokens, 2 * 16, 'the last scene remembers exactly memoryScenes scenes');
    assert.ok(stream.stats.peakRememberedScenes <= 2);
    assert.ok(stream.stats.peakHeldFrames <= 4, `held ${stream.stats.peakHeldFrames}`);
  });

  it('a slow narrator on a realtime source merges waiting scenes and says so (HSV scenes: intake never waits)', async () => {
    const { events, stream } = await collect(clip.path, {
      fps: 5,
      realtime: true,
      stepDelayMilliseconds: 500,
      maxNewTokens: 4,
      maxPendingScenes: 1,
      minSceneSeconds: 0.5,
      maxSceneSeconds: 1.5,
    });
    const ends = checkEventOrder(events);
    const merges = events.filter(
      (event): event is Extract<NarrationEvent, { type: 'scene-merged' }> => event.type === 'scene-merged',
    );
    assert.ok(merges.length >= 1, `no scene-merged event (stats ${JSON.stringify(stream.stats)})`);
    merges.forEach((merge, n) => assert.equal(merge.total, n + 1, 'merges are counted'));
    assert.equal(stream.stats.scenesMerged, merges.length);
    // Every merged scene is named by the narration that covered it; nothing is lost silently.
    assert.deepEqual(
      ends.flatMap((end) => end.mergedScenes).sort((a, b) => a - b),
      merges.map((merge) => merge.scene).sort((a, b) => a - b),
    );
    assert.equal(stream.stats.framesDropped, 0, 'the HSV descriptor needs no model, so intake keeps up');
    assert.ok(stream.stats.peakPendingScenes <= 1);
  });

  it('a slow narrator on a realtime source drops frames (reported) while every buffer stays bounded', async () => {
    const { events, stream } = await collect(clip.path, {
      // Scenes cut on the model's features: every frame is encoded, so intake waits behind generation steps.
      sceneDescriptor: 'hsv+model',
      fps: 5,
      realtime: true,
      bufferFrames: 2,
      stepDelayMilliseconds: 500,
      maxNewTokens: 4,
      maxPendingScenes: 1,
      minSceneSeconds: 0.5,
      // Scenes close every 1.5 s at the latest, so narration overlaps the playback whatever the cut detector does.
      maxSceneSeconds: 1.5,
    });
    checkEventOrder(events);
    const drops = events.filter(
      (event): event is Extract<NarrationEvent, { type: 'frame-dropped' }> => event.type === 'frame-dropped',
    );
    assert.ok(drops.length >= 1, `no frame-dropped event (stats ${JSON.stringify(stream.stats)})`);
    let total = 0;
    for (const drop of drops) {
      total += drop.count;
      assert.equal(drop.total, total, 'totals add up');
    }
    assert.equal(stream.stats.framesDropped, total);
    assert.ok(stream.stats.framesReceived + total <= clip.manifest.duration * 5 + 2);
    assert.ok(stream.stats.peakBufferedFrames <= 2, `buffered ${stream.stats.peakBufferedFrames}`);
    assert.ok(stream.stats.peakPendingScenes <= 1);
    assert.ok(stream.stats.peakHeldFrames <= 65);
  });

  it('an abort cuts the current narration, flushes its narration-end and ends the stream without error', async () => {
    const controller = new AbortController();
    const { events } = await collect(
      clip.path,
      { fps: 2, maxNewTokens: 200, stepDelayMilliseconds: 50, signal: controller.signal },
      (event) => {
        if (event.type === 'narration-delta') controller.abort();
      },
    );
    const ends = checkEventOrder(events);
    assert.equal(ends.length, 1);
    assert.equal(ends[0]!.interrupted, true);
    assert.ok(ends[0]!.generatedTokens < 200);
    assert.deepEqual(await survivingFfmpegChildren(), []);
  });

  it('a crashed model runner ends the iteration with InferenceError and stops ffmpeg', async () => {
    const own = await loadModel(fixtureModel, { runner: 'child' });
    try {
      const runnerPid = (own.runner as { pid?: number }).pid;
      assert.ok(runnerPid !== undefined);
      await assert.rejects(
        async () => {
          let killed = false;
          for await (const event of narrateStream(clip.path, {
            model: own,
            fps: 2,
            realtime: true,
            maxNewTokens: 50,
            stepDelayMilliseconds: 50,
          })) {
            if (event.type === 'scene-start' && !killed) {
              killed = true;
              process.kill(runnerPid, 'SIGKILL');
            }
          }
        },
        (error: Error) => error.name === 'InferenceError',
      );
    } finally {
      await own.dispose();
    }
    assert.deepEqual(await survivingFfmpegChildren(), []);
  });

  it('rejects bad options at once and a missing file when iterated', async () => {
    assert.throws(() => narrateStream(clip.path, { model, fps: 0 }), UsageError);
    assert.throws(() => narrateStream(clip.path, { model, minSceneSeconds: 5, maxSceneSeconds: 2 }), /minSceneSeconds/);
    await assert.rejects(async () => {
      for await (const event of narrateStream(join(directory, 'missing.mp4'), { model })) void event;
    }, InputNotFoundError);
  });

  it('narrates an HLS playlist served over HTTP', async () => {
    const hlsDirectory = join(directory, 'hls');
    mkdirSync(hlsDirectory, { recursive: true });
    await runFfmpeg([
      '-i',
      `file:${clip.path}`,
      '-c',
      'copy',
      '-f',
      'hls',
      '-hls_time',
      '2',
      '-hls_list_size',
      '0',
      '-hls_playlist_type',
      'vod',
      `file:${join(hlsDirectory, 'index.m3u8')}`,
    ]);
    const server = createServer((request, response) => {
      const name = (request.url ?? '/').slice(1);
      if (!/^[\w.-]+$/.test(name)) return void response.writeHead(404).end();
      try {
        const body = readFileSync(join(hlsDirectory, name));
        response
          .writeHead(200, { 'content-type': name.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t' })
          .end(body);
      } catch {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/index.m3u8`;
      const { events } = await collect(url, { fps: 2, maxNewTokens: 2, reconnect: { attempts: 0 } });
      const ends = checkEventOrder(events);
      assert.ok(ends.length >= 2, `${ends.length} narrations`);
      assert.equal(ends[0]!.start, 0);
      assert.ok(
        Math.abs(ends[ends.length - 1]!.end - clip.manifest.duration) <= 1,
        `ends at ${ends[ends.length - 1]!.end}`,
      );
      assert.equal(events.filter((event) => event.type === 'source-reconnect').length, 0, 'attempts 0: no reconnect');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('reconnects a live source that stalls (no frame for stallMilliseconds)', async () => {
    const bytes = readFileSync(await transportStreamCopy(clip.path, join(directory, 'scenes.ts')));
    // stall: 40 % of the stream, then the connection stays open without data; full; gone: 404.
    let mode: 'stall' | 'full' | 'gone' = 'stall';
    const server = createServer((_request, response) => {
      if (mode === 'gone') return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'video/mp2t' });
      if (mode === 'full') return void response.end(bytes);
      response.write(bytes.subarray(0, Math.floor(bytes.length * 0.4)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/live.ts`;
    try {
      let reconnects = 0;
      const { events } = await collect(
        url,
        { fps: 2, maxNewTokens: 2, reconnect: { attempts: 1, initialDelayMilliseconds: 200, stallMilliseconds: 1500 } },
        (event) => {
          if (event.type !== 'source-reconnect') return;
          reconnects += 1;
          mode = reconnects === 1 ? 'full' : 'gone';
        },
      );
      checkEventOrder(events);
      const reconnect = events.find((event) => event.type === 'source-reconnect');
      assert.ok(reconnect && reconnect.type === 'source-reconnect');
      assert.equal(reconnect.reason, 'no frame for 1.5 s');
      const after = events.slice(events.indexOf(reconnect) + 1);
      assert.ok(
        after.some((event) => event.type === 'narration-end'),
        'narration continues after the stall',
      );
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    assert.deepEqual(await survivingFfmpegChildren(), []);
  });

  it('reconnects an HTTP source that drops its connection, then narration continues', async () => {
    const bytes = readFileSync(await transportStreamCopy(clip.path, join(directory, 'scenes.ts')));
    // truncate: every response stops at 40 % and the socket is destroyed; full: whole file; gone: 404.
    let mode: 'truncate' | 'full' | 'gone' = 'truncate';
    const server = createServer((_request, response) => {
      if (mode === 'gone') return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'video/mp2t' });
      if (mode === 'full') return void response.end(bytes);
      response.write(bytes.subarray(0, Math.floor(bytes.length * 0.4)), () =>
        setTimeout(() => response.socket?.destroy(), 50),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/live.ts`;
    try {
      let reconnects = 0;
      const { events } = await collect(
        url,
        { fps: 2, maxNewTokens: 2, reconnect: { attempts: 1, initialDelayMilliseconds: 300 } },
        (event) => {
          if (event.type !== 'source-reconnect') return;
          reconnects += 1;
          mode = reconnects === 1 ? 'full' : 'gone';
        },
      );
      const ends = checkEventOrder(events);
      const first = events.findIndex((event) => event.type === 'source-reconnect');
      assert.ok(first >= 0, 'a source-reconnect event');
      const reconnect = events[first] as Extract<NarrationEvent, { type: 'source-reconnect' }>;
      assert.equal(reconnect.attempt, 1);
      assert.equal(reconnect.delayMilliseconds, 300);
      const framesBefore = events.slice(0, first).filter((event) => event.type === 'scene-start').length;
      assert.ok(framesBefore >= 1, 'frames arrived before the drop');
      const narratedAfter = events.slice(first + 1).filter((event) => event.type === 'narration-end');
      assert.ok(narratedAfter.length >= 1, 'narration continues after the reconnect');
      // The timeline continues across the reconnect: the last scene ends after a full clip's worth plus the first part.
      assert.ok(ends[ends.length - 1]!.end > clip.manifest.duration, `timeline ends at ${ends[ends.length - 1]!.end}`);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    assert.deepEqual(await survivingFfmpegChildren(), []);
  });
});

/**
 * @file When ffprobe crashes (the static `@ffprobe-installer` build segfaults on MPEG-TS and http input), probing and
 * frame timelines fall back to ffmpeg. A wrapper that answers `-version` but dies with SIGSEGV otherwise stands in for
 * the broken binary; results must equal the normal ffprobe path on an mp4, and MPEG-TS must work.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { extractFrames, probe, resetBinaryCache, resolveBinaries } from '../../src/ingest/index.js';
import { makeClip, runFfmpeg, survivingFfmpegChildren } from '../helpers/media.js';
import { scratchDir } from '../helpers/paths.js';

describe('ffprobe crash fallback', () => {
  let directory: string;
  let clip: string;
  let crashingProbe: string;
  const previous = process.env.VIDTOK_FFPROBE;
  before(async () => {
    directory = scratchDir('ingest-fallback');
    clip = await makeClip(join(directory, 'clip.mp4'), { seconds: 6, fps: 25, gop: 25 });
    const { ffprobe } = await resolveBinaries();
    crashingProbe = join(directory, 'crashing-ffprobe');
    writeFileSync(
      crashingProbe,
      `#!/bin/sh\nif [ "$2" = "-version" ]; then exec '${ffprobe.path.replace(/'/g, "'\\''")}' "$@"; fi\nkill -SEGV $$\n`,
      { mode: 0o755 },
    );
  });
  after(async () => {
    if (previous === undefined) delete process.env.VIDTOK_FFPROBE;
    else process.env.VIDTOK_FFPROBE = previous;
    resetBinaryCache();
    assert.deepEqual(await survivingFfmpegChildren(), []);
  });

  const withCrashingProbe = async <T>(action: () => Promise<T>): Promise<T> => {
    process.env.VIDTOK_FFPROBE = crashingProbe;
    resetBinaryCache();
    try {
      assert.equal((await resolveBinaries()).ffprobe.path, crashingProbe);
      return await action();
    } finally {
      if (previous === undefined) delete process.env.VIDTOK_FFPROBE;
      else process.env.VIDTOK_FFPROBE = previous;
      resetBinaryCache();
    }
  };

  it('gives the same probe and frames as ffprobe on an mp4', async () => {
    const request = { count: 6, rule: 'pllava_eval' as const, size: { width: 16, height: 16 } };
    const normal = { info: await probe(clip), frames: (await extractFrames(clip, request)).frames };
    const fallback = await withCrashingProbe(async () => ({
      info: await probe(clip),
      frames: (await extractFrames(clip, request)).frames,
    }));
    for (const key of [
      'width',
      'height',
      'codec',
      'pixelFormat',
      'frameCount',
      'frameCountExact',
      'hasAudio',
      'rotation',
    ] as const) {
      assert.equal(fallback.info[key], normal.info[key], key);
    }
    assert.ok(Math.abs(fallback.info.duration - normal.info.duration) < 0.05);
    assert.ok(Math.abs((fallback.info.keyframeInterval ?? 0) - (normal.info.keyframeInterval ?? 0)) < 1e-6);
    assert.deepEqual(
      fallback.frames.map((frame) => [frame.index, frame.pts]),
      normal.frames.map((frame) => [frame.index, frame.pts]),
    );
    assert.deepEqual(
      fallback.frames.map((frame) => Buffer.from(frame.data).toString('base64')),
      normal.frames.map((frame) => Buffer.from(frame.data).toString('base64')),
    );
  });

  it('reads MPEG-TS (timestamps offset by the muxer) with exact frame picking', async () => {
    const transport = join(directory, 'clip.ts');
    await runFfmpeg(['-i', `file:${clip}`, '-c', 'copy', '-f', 'mpegts', `file:${transport}`]);
    const mp4 = await extractFrames(clip, { count: 5, size: { width: 16, height: 16 } });
    const ts = await withCrashingProbe(() => extractFrames(transport, { count: 5, size: { width: 16, height: 16 } }));
    assert.equal(ts.probe.frameCount, 150);
    assert.deepEqual(
      ts.frames.map((frame) => frame.index),
      mp4.frames.map((frame) => frame.index),
    );
    const offset = ts.frames[0]!.pts - mp4.frames[0]!.pts;
    ts.frames.forEach((frame, position) => assert.ok(Math.abs(frame.pts - mp4.frames[position]!.pts - offset) < 1e-6));
    ts.frames.forEach((frame, position) => assert.deepEqual(frame.data, mp4.frames[position]!.data));
  });
});

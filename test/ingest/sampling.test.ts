/**
 * @file `count N --rule R` returns exactly the frames frameIndices(R, total, N) names (pts checked against ffprobe's
 * decoded-frame list), `at` picks the frame shown at each time, windows restrict the frames, keyframes match the
 * keyframe flags, scenes find the generated cuts within one frame, and fps/min/max clamp as documented.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateSamples, type SamplesManifest } from '../../samples/generate.js';
import { resolveBinaries } from '../../src/ingest/binaries.js';
import { runToCompletion } from '../../src/ingest/ffmpeg-adapter.js';
import { extractFrames } from '../../src/ingest/index.js';
import { frameIndexRules, frameIndices } from '../../src/sampling/frame-indices.js';
import { survivingFfmpegChildren } from '../helpers/media.js';
import { scratchDir, sharedVideo } from '../helpers/paths.js';
import { ffprobeFramePts } from './ingest-fixtures.js';

const tiny = { width: 16, height: 16 };

describe('frame selection', () => {
  let samples: SamplesManifest;
  let samplesDirectory: string;
  before(async () => {
    samplesDirectory = join(scratchDir('ingest-sampling'), 'samples');
    samples = await generateSamples(samplesDirectory);
  });
  after(async () => assert.deepEqual(await survivingFfmpegChildren(), []));

  it('follows every named index rule exactly (pts from ffprobe)', async () => {
    const path = sharedVideo('yoga.mp4');
    const reference = await ffprobeFramePts(path);
    for (const rule of frameIndexRules) {
      for (const count of [1, 7, 16]) {
        const expected = frameIndices(rule, reference.length, count);
        const result = await extractFrames(path, { count, rule, size: tiny });
        assert.deepEqual(
          result.frames.map((frame) => frame.index),
          expected,
          `${rule} x${count}`,
        );
        result.frames.forEach((frame, position) =>
          assert.ok(Math.abs(frame.pts - reference[expected[position]!]!) < 2e-6),
        );
      }
    }
  });

  it("repeats frames when a rule names an index twice (as the papers' code does)", async () => {
    const path = join(samplesDirectory, samples.rotated.file); // 25 frames
    const expected = frameIndices('torch_linspace_round', 25, 40);
    assert.ok(new Set(expected).size < expected.length);
    const result = await extractFrames(path, { count: 40, rule: 'torch_linspace_round', size: tiny });
    assert.deepEqual(
      result.frames.map((frame) => frame.index),
      expected,
    );
  });

  it('picks the frame shown at each requested time and honours a window', async () => {
    const path = sharedVideo('boat.mp4');
    const reference = await ffprobeFramePts(path);
    const times = [0, 1.5, 3.3367, 5];
    const result = await extractFrames(path, { at: times, size: tiny });
    const expected = times.map((time) => reference.filter((pts) => pts <= time + 1e-9).length - 1);
    assert.deepEqual(
      result.frames.map((frame) => frame.index),
      expected,
    );
    const windowed = await extractFrames(path, { start: 2, end: 3, size: tiny });
    const inWindow = reference.map((pts, index) => ({ pts, index })).filter(({ pts }) => pts >= 2 && pts < 3);
    assert.deepEqual(
      windowed.frames.map((frame) => frame.index),
      inWindow.map(({ index }) => index),
    );
    const windowCount = await extractFrames(path, { start: 2, end: 3, count: 4, size: tiny });
    assert.deepEqual(
      windowCount.frames.map((frame) => frame.index),
      frameIndices('np_linspace_int', inWindow.length, 4).map((offset) => inWindow[0]!.index + offset),
    );
  });

  it('returns the keyframes the container flags', async () => {
    const path = sharedVideo('making_cake.mp4');
    const { ffprobe } = await resolveBinaries();
    const listed = await runToCompletion(
      ffprobe.path,
      [
        '-v',
        'error',
        '-select_streams',
        'v:0',
        '-skip_frame',
        'nokey',
        '-show_entries',
        'frame=best_effort_timestamp_time',
        '-of',
        'csv=p=0',
        `file:${path}`,
      ],
      { operation: 'keyframes', input: path, deadlineMs: 30_000 },
    );
    const keyTimes = listed.stdout
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => Number(line.split(',')[0]))
      .sort((a, b) => a - b);
    const result = await extractFrames(path, { keyframes: true, size: tiny });
    assert.equal(result.plan.mode, 'keyframes');
    assert.deepEqual(
      result.frames.map((frame) => Number(frame.pts.toFixed(4))),
      keyTimes.map((time) => Number(time.toFixed(4))),
    );
  });

  it('finds the generated scene cuts within one frame', async () => {
    const path = join(samplesDirectory, samples.scenes.file);
    const result = await extractFrames(path, { scenes: true, size: tiny });
    const times = result.frames.map((frame) => frame.pts);
    assert.equal(times[0], 0);
    assert.equal(times.length, samples.scenes.cuts.length + 1, `scene frames at ${times.join(', ')}`);
    samples.scenes.cuts.forEach((cut, position) =>
      assert.ok(Math.abs(times[position + 1]! - cut) <= 1 / samples.scenes.frameRate + 1e-6),
    );
  });

  it('samples by fps with min/max clamps', async () => {
    const path = sharedVideo('yoga.mp4'); // 10 s, 30 fps
    const dense = await extractFrames(path, { fps: 2, size: tiny });
    assert.equal(dense.frames.length, 20);
    assert.deepEqual(
      dense.frames.map((frame) => frame.index),
      Array.from({ length: 20 }, (_, k) => k * 15),
    );
    const capped = await extractFrames(path, { fps: 2, maxFrames: 8, size: tiny });
    assert.deepEqual(
      capped.frames.map((frame) => frame.index),
      frameIndices('np_linspace_int', 300, 8),
    );
    const raised = await extractFrames(path, { fps: 0.2, minFrames: 4, size: tiny });
    assert.deepEqual(
      raised.frames.map((frame) => frame.index),
      frameIndices('np_linspace_int', 300, 4),
    );
  });
});

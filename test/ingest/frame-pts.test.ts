/**
 * @file Every frame carries its real pts and source index: compared with ffprobe's decoded-frame list on a shared
 * clip (constant rate), on the generated VFR clip and on a shared clip without nb_frames; pixels of frames picked
 * by seeking equal frames decoded sequentially by bare ffmpeg.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateSamples, type SamplesManifest } from '../../samples/generate.js';
import { extractFrames, probe } from '../../src/ingest/index.js';
import { frameIndices } from '../../src/sampling/frame-indices.js';
import { makeClip, survivingFfmpegChildren } from '../helpers/media.js';
import { scratchDir, sharedVideo } from '../helpers/paths.js';
import { ffmpegReferenceFrames, ffprobeFramePts, meanAbsoluteDifference } from './ingest-fixtures.js';

const tolerance = 2e-6;

describe('frame timestamps and indices', () => {
  let samples: SamplesManifest;
  let directory: string;
  before(async () => {
    directory = scratchDir('ingest-pts');
    samples = await generateSamples(join(directory, 'samples'));
  });
  after(async () => {
    assert.deepEqual(await survivingFfmpegChildren(), []);
  });

  it('delivers every frame of a shared clip with ffprobe pts and consecutive indices', async () => {
    const path = sharedVideo('birthday.mp4');
    const reference = await ffprobeFramePts(path);
    const result = await extractFrames(path, { size: { width: 32, height: 32 } });
    assert.equal(result.frames.length, reference.length);
    result.frames.forEach((frame, position) => {
      assert.equal(frame.index, position);
      assert.ok(
        Math.abs(frame.pts - reference[position]!) < tolerance,
        `frame ${position}: ${frame.pts} vs ${reference[position]}`,
      );
      assert.equal(frame.data.length, 32 * 32 * 3);
    });
  });

  it('keeps the real timestamps of a variable-frame-rate clip', async () => {
    const path = join(directory, 'samples', samples.vfr.file);
    const reference = await ffprobeFramePts(path);
    assert.equal(reference.length, samples.vfr.frames);
    const result = await extractFrames(path, { size: { width: 16, height: 16 } });
    assert.deepEqual(
      result.frames.map((frame) => frame.index),
      reference.map((_, index) => index),
    );
    result.frames.forEach((frame, position) => assert.ok(Math.abs(frame.pts - reference[position]!) < tolerance));
    // The gaps really vary: 1/30 s in the first half, 1/10 s in the second.
    const gaps = reference.slice(1).map((pts, index) => pts - reference[index]!);
    assert.ok(Math.min(...gaps) < 0.04 && Math.max(...gaps) > 0.09);
    // fps sampling on VFR: the first frame of every 0.25 s bucket.
    const sampled = await extractFrames(path, { fps: 4, size: { width: 16, height: 16 } });
    const expected = reference.filter(
      (pts, index) => index === 0 || Math.floor(pts * 4) > Math.floor(reference[index - 1]! * 4),
    );
    assert.deepEqual(
      sampled.frames.map((frame) => Number(frame.pts.toFixed(5))),
      expected.map((pts) => Number(pts.toFixed(5))),
    );
  });

  it('counts frames exactly when the container has no nb_frames', async () => {
    const path = sharedVideo('skateboarding_dog.mp4');
    const reference = await ffprobeFramePts(path);
    const info = await probe(path);
    assert.equal(info.frameCount, reference.length);
    assert.equal(info.frameCountExact, true);
    const result = await extractFrames(path, { count: 8, rule: 'pllava_eval', size: { width: 16, height: 16 } });
    const indices = frameIndices('pllava_eval', reference.length, 8);
    assert.deepEqual(
      result.frames.map((frame) => frame.index),
      indices,
    );
    result.frames.forEach((frame, position) =>
      assert.ok(Math.abs(frame.pts - reference[indices[position]!]!) < tolerance),
    );
  });

  it('picks the same pixels by keyframe seeking as a sequential decode by bare ffmpeg', async () => {
    const path = await makeClip(join(directory, 'short-gop.mp4'), {
      width: 160,
      height: 120,
      fps: 25,
      seconds: 12,
      gop: 25,
    });
    const size = { width: 64, height: 48 };
    const result = await extractFrames(path, { count: 5, rule: 'pllava_demo', size });
    assert.equal(result.plan.mode, 'seek', result.plan.reason);
    assert.deepEqual(result.warnings, []);
    assert.ok((result.plan.jobs ?? 0) > 1);
    const indices = frameIndices('pllava_demo', 300, 5);
    assert.deepEqual(
      result.frames.map((frame) => frame.index),
      indices,
    );
    const reference = await ffmpegReferenceFrames(path, indices, size);
    assert.equal(reference.length, indices.length);
    result.frames.forEach((frame, position) => {
      assert.ok(
        meanAbsoluteDifference(frame.data, reference[position]!) < 0.5,
        `frame ${frame.index} differs from the sequential decode`,
      );
    });
    // And a frame next to it differs (the comparison can fail).
    const neighbour = await ffmpegReferenceFrames(path, [indices[2]! + 1], size);
    assert.ok(meanAbsoluteDifference(result.frames[2]!.data, neighbour[0]!) > 0.5);
  });
});

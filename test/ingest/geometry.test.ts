/**
 * @file Rotation and resize policies: a rotated clip is delivered at its display size; squash/fit/crop give the
 * requested size, fit pads with black bars, crop fills the frame.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateSamples, type SamplesManifest } from '../../samples/generate.js';
import type { VideoFrame } from '../../src/core/frame.js';
import { extractFrames, normalizeFrame, probe } from '../../src/ingest/index.js';
import { runFfmpeg, survivingFfmpegChildren } from '../helpers/media.js';
import { scratchDir, sharedVideo } from '../helpers/paths.js';

function rowMean(frame: VideoFrame, row: number): number {
  let sum = 0;
  for (let x = 0; x < frame.width * 3; x += 1) sum += frame.data[row * frame.width * 3 + x]!;
  return sum / (frame.width * 3);
}

describe('rotation and resizing', () => {
  let samples: SamplesManifest;
  let samplesDirectory: string;
  before(async () => {
    samplesDirectory = join(scratchDir('ingest-geometry'), 'samples');
    samples = await generateSamples(samplesDirectory);
  });
  after(async () => assert.deepEqual(await survivingFfmpegChildren(), []));

  it('reports and delivers the display size of a rotated clip', async () => {
    const path = join(samplesDirectory, samples.rotated.file);
    const info = await probe(path);
    // ffprobe's convention: the display matrix angle, counter-clockwise positive, a quarter turn either way.
    assert.equal(Math.abs(info.rotation), 90, `rotation ${info.rotation}`);
    assert.equal(info.width, samples.rotated.displayWidth);
    assert.equal(info.height, samples.rotated.displayHeight);
    assert.equal(info.codedWidth, samples.rotated.codedWidth);
    const result = await extractFrames(path, { count: 2 });
    for (const frame of result.frames) {
      assert.equal(frame.width, 180);
      assert.equal(frame.height, 320);
      assert.equal(frame.data.length, 180 * 320 * 3);
    }
  });

  it('squashes, fits (black bars) and crops to the requested size', async () => {
    const path = sharedVideo('yoga.mp4'); // 568x320 landscape, bright content
    const size = { width: 64, height: 64 };
    const squash = await extractFrames(path, { at: [5], size, resize: 'squash' });
    const fit = await extractFrames(path, { at: [5], size, resize: 'fit' });
    const crop = await extractFrames(path, { at: [5], size, resize: 'crop' });
    for (const result of [squash, fit, crop]) {
      const frame = result.frames[0]!;
      assert.equal(frame.width, 64);
      assert.equal(frame.height, 64);
      assert.equal(frame.data.length, 64 * 64 * 3);
    }
    // fit: 568x320 -> 64x36 content, 14 black rows above and below.
    const fitted = fit.frames[0]!;
    assert.equal(rowMean(fitted, 0), 0);
    assert.equal(rowMean(fitted, 63), 0);
    assert.ok(rowMean(fitted, 32) > 10);
    assert.ok(rowMean(fitted, 12) < 1 && rowMean(fitted, 16) > 5);
    // squash and crop fill every row.
    for (const frame of [squash.frames[0]!, crop.frames[0]!]) {
      assert.ok(rowMean(frame, 0) > 5 && rowMean(frame, 63) > 5);
    }
    // A float view of the frame is in [0, 1].
    const floats = normalizeFrame(fitted, { layout: 'chw' });
    assert.equal(floats.length, 64 * 64 * 3);
    assert.ok(floats.every((value) => value >= 0 && value <= 1));
  });

  it('keeps the display aspect ratio of anamorphic video when fitting or cropping', async () => {
    // 96x64 stored at SAR 4:3 is displayed 2:1 (128x64).
    const path = join(samplesDirectory, 'anamorphic-4x3.mp4');
    await runFfmpeg([
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=96x64:rate=25:duration=1',
      '-vf',
      'setsar=4/3',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      `file:${path}`,
    ]);
    const info = await probe(path);
    assert.deepEqual(
      [info.sampleAspectRatio, info.displayAspectRatio, info.width, info.height],
      [[4, 3], [2, 1], 96, 64],
    );
    const size = { width: 64, height: 64 };
    const fitted = (await extractFrames(path, { at: [0.5], size, resize: 'fit' })).frames[0]!;
    // 2:1 in 64x64: 64x32 of picture, 16 black rows above and below (square pixels would give 64x43).
    for (const row of [0, 15, 48, 63]) assert.equal(rowMean(fitted, row), 0, `row ${row} is padding`);
    for (const row of [17, 32, 46]) assert.ok(rowMean(fitted, row) > 5, `row ${row} is picture`);
    // Without --size the stored pixels come out unchanged.
    const stored = (await extractFrames(path, { at: [0.5] })).frames[0]!;
    assert.deepEqual([stored.width, stored.height], [96, 64]);
  });
});

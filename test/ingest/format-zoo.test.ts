/**
 * @file The format zoo, FATE-style: for every clip `samples/format-zoo.ts` makes, the frame count of `probe`, and the
 * indices, pts and pixels from `--count`, `--fps` and `--at`, are compared with the decoder's own frame list (the
 * same ffmpeg binary's `showinfo` output) and with frames picked by a bare ffmpeg (`select=eq(n,K)`). Expected
 * fps picks are computed here independently, in BigInt pts units.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateFormatZoo, type FormatZooManifest, type ZooClip } from '../../samples/format-zoo.js';
import { classifyInput, extractFrames, probe, readTimeline } from '../../src/ingest/index.js';
import { resolveBinaries } from '../../src/ingest/binaries.js';
import { runToCompletion } from '../../src/ingest/ffmpeg-adapter.js';
import { frameIndices } from '../../src/sampling/frame-indices.js';
import { survivingFfmpegChildren } from '../helpers/media.js';
import { scratchDir } from '../helpers/paths.js';
import {
  decodedReference,
  ffmpegReferenceFrames,
  meanAbsoluteDifference,
  type DecodedReference,
} from './ingest-fixtures.js';

/** ffprobe's display-matrix rotation of the first video stream (0 when none). */
async function ffprobeRotation(path: string): Promise<number> {
  const { ffprobe } = await resolveBinaries();
  const result = await runToCompletion(
    ffprobe.path,
    ['-v', 'error', '-select_streams', 'v:0', '-show_streams', '-of', 'json', `file:${path}`],
    {
      operation: 'reference rotation',
      input: path,
      deadlineMs: 30_000,
    },
  );
  const stream = (JSON.parse(result.stdout) as { streams: Array<{ side_data_list?: Array<{ rotation?: number }> }> })
    .streams[0];
  const rotation = stream?.side_data_list?.find((side) => side.rotation !== undefined)?.rotation ?? 0;
  return rotation === -180 ? 180 : rotation;
}

/** The first frame of every 1/fps interval from the first frame, in exact integer arithmetic. */
function expectedFpsPicks(reference: DecodedReference, fps: number): number[] {
  const [numerator, denominator] = reference.timeBase.map(BigInt) as [bigint, bigint];
  const origin = BigInt(reference.units[0]!);
  const interval = (units: number): bigint => {
    const scaled = (BigInt(units) - origin) * numerator * BigInt(fps);
    return scaled / denominator - (scaled % denominator < 0n ? 1n : 0n);
  };
  return reference.units.flatMap((units, index) =>
    index === 0 || interval(units) > interval(reference.units[index - 1]!) ? [index] : [],
  );
}

const seconds = (reference: DecodedReference, index: number): number =>
  (reference.units[index]! * reference.timeBase[0]) / reference.timeBase[1];

function assertPts(
  reference: DecodedReference,
  frames: ReadonlyArray<{ index: number; pts: number }>,
  what: string,
): void {
  for (const frame of frames) {
    assert.ok(
      Math.abs(frame.pts - seconds(reference, frame.index)) < 1e-6,
      `${what}: frame ${frame.index} pts ${frame.pts} vs decoder ${seconds(reference, frame.index)}`,
    );
  }
}

describe("format zoo against the decoder's own frame list", () => {
  let zoo: FormatZooManifest;
  let directory: string;
  before(async () => {
    directory = join(scratchDir('ingest-zoo'), 'zoo');
    zoo = await generateFormatZoo(directory);
  });
  after(async () => assert.deepEqual(await survivingFfmpegChildren(), []));

  it('covers every required format (or says why the ffmpeg at hand cannot make it)', () => {
    const required = [
      'edit-list',
      'edit-list-long',
      'b-frames',
      'vfr',
      'rotate-90',
      'rotate-180',
      'rotate-270',
      'anamorphic',
      'odd-size',
      'tiny',
      '10-bit',
      'yuv444',
      'hevc',
      'av1',
      'vp9',
      'mjpeg',
      'prores',
      'mpeg2-offset',
      'pts-wrap',
      'fragmented',
      'mkv-start',
      'gif',
      'interlaced',
      'video-after-audio',
    ];
    const present = new Set([...zoo.clips.map((clip) => clip.name), ...zoo.skipped.map((entry) => entry.name)]);
    assert.deepEqual(
      required.filter((name) => !present.has(name)),
      [],
    );
    for (const entry of zoo.skipped) assert.match(entry.reason, /has no (encoder|muxer)/);
  });

  const names = [
    'edit-list',
    'edit-list-long',
    'b-frames',
    'vfr',
    'rotate-90',
    'rotate-180',
    'rotate-270',
    'anamorphic',
    'odd-size',
    'tiny',
    'tiny-ffv1',
    '10-bit',
    'yuv444',
    'hevc',
    'av1',
    'vp9',
    'mjpeg',
    'prores',
    'mpeg2-offset',
    'pts-wrap',
    'interlaced',
    'fragmented',
    'mkv-start',
    'gif',
    'video-after-audio',
  ];
  it("edit-list-long: keyframe seeks and the keyframes plan stay on the decoder's timeline", async (context) => {
    const clip = zoo.clips.find((entry) => entry.name === 'edit-list-long');
    if (!clip)
      return context.skip(zoo.skipped.find((entry) => entry.name === 'edit-list-long')?.reason ?? 'not generated');
    const path = join(directory, clip.file);
    const reference = await decodedReference(path);
    const size = { width: 24, height: 16 };
    const sought = await extractFrames(path, { count: 5, rule: 'pllava_demo', size });
    assert.equal(sought.plan.mode, 'seek', sought.plan.reason);
    assert.deepEqual(
      sought.frames.map((frame) => frame.index),
      frameIndices('pllava_demo', reference.units.length, 5),
    );
    assertPts(reference, sought.frames, 'seek');
    const pixels = await ffmpegReferenceFrames(
      path,
      sought.frames.map((frame) => frame.index),
      size,
    );
    sought.frames.forEach((frame, position) =>
      assert.ok(meanAbsoluteDifference(frame.data, pixels[position]!) < 1, `seek: frame ${frame.index} pixels`),
    );
    // Keyframes: the frames `-skip_frame nokey` delivers, indexed on the full decode's timeline.
    const keyReference = await decodedReference(path, { keyframesOnly: true });
    const keyframes = await extractFrames(path, { keyframes: true, size });
    const expectedKeys = keyReference.units
      .map((units) => reference.units.indexOf(units))
      .filter((index) => index >= 0);
    assert.deepEqual(
      keyframes.frames.map((frame) => frame.index),
      expectedKeys,
    );
    assert.ok(expectedKeys.length >= 10 && expectedKeys[0]! > 0, `keyframes ${expectedKeys.join(' ')}`);
    // A window with fps: intervals counted from --start, on the decoder's pts.
    const windowed = await extractFrames(path, { fps: 1, start: 5.5, end: 9, size });
    const inWindow = reference.units.flatMap((_units, index) =>
      seconds(reference, index) >= 5.5 && seconds(reference, index) < 9 ? [index] : [],
    );
    assert.deepEqual(
      windowed.frames.map((frame) => frame.index),
      [0, 1, 2, 3].map((offset) => inWindow.find((index) => seconds(reference, index) >= 5.5 + offset)!),
    );
  });

  for (const name of names) {
    it(`${name}: count, indices, pts and pixels equal the decoder's`, async (context) => {
      const clip: ZooClip | undefined = zoo.clips.find((entry) => entry.name === name);
      if (!clip) {
        context.skip(zoo.skipped.find((entry) => entry.name === name)?.reason ?? 'not generated');
        return;
      }
      const path = join(directory, clip.file);
      const reference = await decodedReference(path);
      const total = reference.units.length;
      assert.ok(total >= 5, `${name}: the decoder outputs ${total} frames`);
      for (let index = 1; index < total; index += 1)
        assert.ok(reference.units[index]! > reference.units[index - 1]!, `${name}: decoder pts increase`);

      // Probe: exact count = what the decoder outputs; the stream's own start.
      const info = await probe(path);
      assert.equal(info.frameCount, total, `${name}: probe frame count`);
      assert.equal(info.frameCountExact, true);
      assert.ok(
        Math.abs((info.startTime ?? Number.NaN) - seconds(reference, 0)) < 1e-6,
        `${name}: startTime ${info.startTime} vs ${seconds(reference, 0)}`,
      );
      const expect = clip.expect;
      if (expect.startTime !== undefined)
        assert.ok(Math.abs(info.startTime! - expect.startTime) < 0.15, `${name}: startTime ${info.startTime}`);
      if (expect.duration !== undefined)
        assert.ok(Math.abs(info.duration - expect.duration) < 0.15, `${name}: duration ${info.duration}`);
      if (expect.sampleAspectRatio) assert.deepEqual(info.sampleAspectRatio, expect.sampleAspectRatio);
      if (expect.displayAspectRatio) assert.deepEqual(info.displayAspectRatio, expect.displayAspectRatio);
      if (expect.codedWidth !== undefined)
        assert.deepEqual([info.codedWidth, info.codedHeight], [expect.codedWidth, expect.codedHeight]);
      if (expect.rotated) {
        const rotation = await ffprobeRotation(path);
        assert.notEqual(rotation, 0);
        assert.equal(info.rotation, rotation, `${name}: rotation with ffprobe's sign`);
        const quarter = Math.abs(rotation) === 90;
        assert.deepEqual(
          [info.width, info.height],
          quarter ? [info.codedHeight, info.codedWidth] : [info.codedWidth, info.codedHeight],
        );
      }
      if (expect.editList) {
        const timeline = await readTimeline(await classifyInput(path), { deadlineMs: 30_000 });
        assert.ok((timeline.discardedPackets ?? 0) > 0, `${name}: the edit list discards packets`);
      }

      const size = { width: 24, height: 16 };
      const width = info.codedWidth ?? info.width;
      // --count 8 (np_linspace_int over the decoder's frames).
      const counted = await extractFrames(path, { count: 8, size });
      const wanted = frameIndices('np_linspace_int', total, 8);
      assert.deepEqual(
        counted.frames.map((frame) => frame.index),
        wanted,
        `${name}: --count 8 indices`,
      );
      assertPts(reference, counted.frames, `${name} --count`);
      assert.equal(counted.missing, 0);
      assert.deepEqual(
        counted.warnings.filter((warning) => warning.kind === 'missing-frames'),
        [],
      );

      // --fps 2: the first frame of every 0.5 s interval, compared in pts units.
      const sampled = await extractFrames(path, { fps: 2, size });
      assert.deepEqual(
        sampled.frames.map((frame) => frame.index),
        expectedFpsPicks(reference, 2),
        `${name}: --fps 2 indices`,
      );
      assertPts(reference, sampled.frames, `${name} --fps`);

      // --at: a frame's pts as ffprobe prints it (6 decimals), a time between two frames, a repeated time (deduplicated).
      const middle = Math.floor(total / 2);
      const exact = total - 3;
      const between = (seconds(reference, middle) + seconds(reference, middle + 1)) / 2;
      const timed = await extractFrames(path, {
        at: [Number(seconds(reference, exact).toFixed(6)), between, between],
        size,
      });
      assert.deepEqual(
        timed.frames.map((frame) => frame.index),
        [middle, exact],
        `${name}: --at indices`,
      );
      assertPts(reference, timed.frames, `${name} --at`);

      // Pixels: a picked frame equals the same frame decoded by a bare ffmpeg, and differs from its neighbour.
      const pick = counted.frames[4]!;
      const [same, neighbour] = await ffmpegReferenceFrames(path, [pick.index, pick.index + 1], size);
      assert.ok(same && neighbour, `${name}: bare ffmpeg decoded frames ${pick.index} and ${pick.index + 1}`);
      assert.ok(
        meanAbsoluteDifference(pick.data, same) < 1,
        `${name}: frame ${pick.index} pixels differ from the decoder's`,
      );
      // (Tiny clips barely move between frames at this size.)
      if ((expect.codedWidth ?? width) >= 32)
        assert.ok(meanAbsoluteDifference(pick.data, neighbour) > 0.2, `${name}: the pixel comparison can fail`);
    });
  }
});

/**
 * @file The scene descriptors and the streaming scene detector: HSV histograms separate colours and ignore where they
 * are, combined descriptors average their parts' similarities, the threshold rule honours the scene-length bounds,
 * and on a concatenation of real clips (joins at known frames) the detector finds every cut within 0.5 s and adds
 * none, also not inside a continuous real shot.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { concatenation } from '../../bench/scene-set.js';
import type { RgbImage } from '../../src/core/frame.js';
import { openFrames } from '../../src/ingest/index.js';
import { hsvHistogram } from '../../src/scenes/hsv-histogram.js';
import { combineDescriptors, descriptorDistance } from '../../src/scenes/scene-descriptor.js';
import { StreamingSceneDetector, type SceneBoundary } from '../../src/scenes/streaming-scene-detector.js';
import { scratchDir, sharedVideo, sharedVideosDir } from '../helpers/paths.js';

function solid(width: number, height: number, colour: readonly [number, number, number], shift = 0): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let pixel = 0; pixel < width * height; pixel++) {
    const x = pixel % width;
    const inside = (x + shift) % width < width / 2;
    data.set(inside ? colour : [20, 20, 20], pixel * 3);
  }
  return { width, height, data };
}

test('HSV histogram: unit length, equal for moved content, far apart for other colours', () => {
  const red = hsvHistogram(solid(64, 48, [220, 30, 30]));
  const movedRed = hsvHistogram(solid(64, 48, [220, 30, 30], 17));
  const blue = hsvHistogram(solid(64, 48, [30, 30, 220]));
  const norm = Math.sqrt(red.reduce((sum, value) => sum + value * value, 0));
  assert.ok(Math.abs(norm - 1) < 1e-5, `norm ${norm}`);
  assert.ok(descriptorDistance(red, movedRed) < 0.02, 'moving the same colours barely changes the histogram');
  assert.ok(descriptorDistance(red, blue) > 0.4, `red vs blue ${descriptorDistance(red, blue)}`);
});

test('combined descriptors: cosine is the weighted mean of the parts', () => {
  const a = new Float32Array([1, 0]);
  const b = new Float32Array([0, 1]);
  const first = combineDescriptors([
    { vector: a, weight: 0.75 },
    { vector: a, weight: 0.25 },
  ]);
  const second = combineDescriptors([
    { vector: a, weight: 0.75 },
    { vector: b, weight: 0.25 },
  ]);
  assert.ok(Math.abs(1 - descriptorDistance(first, second) - 0.75) < 1e-6);
});

function feed(
  detector: StreamingSceneDetector,
  descriptors: readonly Float32Array[],
  interval: number,
): SceneBoundary[] {
  const found: SceneBoundary[] = [];
  descriptors.forEach((descriptor, n) => found.push(...detector.push(descriptor, n * interval)));
  found.push(...detector.end());
  return found;
}

test('threshold rule: cuts at colour changes, ignores a cut that leaves a short scene, closes long scenes', () => {
  const red = new Float32Array([1, 0, 0]);
  const green = new Float32Array([0, 1, 0]);
  const blue = new Float32Array([0, 0, 1]);
  const sequence = [red, red, red, red, green, blue, blue, blue, blue, blue];
  const cuts = feed(new StreamingSceneDetector({ minSceneSeconds: 1, frameInterval: 0.5 }), sequence, 0.5);
  // The green frame (0.5 s) is too short to be a scene: only the cut at frame 4 survives.
  assert.deepEqual(
    cuts.map((cut) => [cut.end, cut.endTime, cut.closedBy]),
    [[3, 2, 'cut']],
  );
  const bounded = feed(
    new StreamingSceneDetector({ minSceneSeconds: 0, maxSceneSeconds: 1, frameInterval: 0.5 }),
    Array(6).fill(red),
    0.5,
  );
  assert.deepEqual(
    bounded.map((cut) => [cut.end, cut.closedBy]),
    [
      [2, 'max-length'],
      [5, 'max-length'],
    ],
  );
});

async function boundariesOf(file: string): Promise<number[]> {
  const detector = new StreamingSceneDetector({ frameInterval: 0.5 });
  const found: number[] = [];
  for await (const frame of openFrames(file, { fps: 2, size: { width: 160, height: 120 }, resize: 'squash' })) {
    for (const boundary of detector.push(hsvHistogram(frame), frame.pts))
      if (boundary.closedBy === 'cut') found.push(boundary.endTime);
  }
  return found;
}

test('finds the known cuts of a concatenation of real clips and none inside a continuous shot', {
  timeout: 60_000,
}, async () => {
  const directory = scratchDir('scenes');
  const file = join(directory, 'three.mp4');
  const cuts = await concatenation(sharedVideosDir, file, [
    { clip: 'yoga.mp4', start: 1, length: 2.4 },
    { clip: 'boat.mp4', start: 1, length: 2 },
    { clip: 'birthday.mp4', start: 3, length: 2.4 },
    { clip: 'skateboarding_dog.mp4', start: 2, length: 2 },
  ]);
  assert.deepEqual(cuts, [2.4, 4.4, 6.8]);
  const found = await boundariesOf(file);
  assert.equal(found.length, cuts.length, `found ${found.join(', ')}`);
  found.forEach((time, n) => assert.ok(Math.abs(time - cuts[n]!) <= 0.5, `cut ${cuts[n]} found at ${time}`));
  assert.deepEqual(await boundariesOf(sharedVideo('birthday.mp4')), [], 'no cut inside a continuous shot');
});

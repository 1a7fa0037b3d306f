// SceneTilling: hand-computed depth scores, planted cuts found in both modes, the streaming detector agreeing with
// the offline rule (exact depths, same boundaries on a prefix-stable example), and the bounded scene memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FrameDescriptors } from '../../src/core/feature-grid.js';
import { featureGrid } from '../../src/core/feature-grid.js';
import {
  StreamingSceneTiller,
  depthScores,
  sceneMemory,
  sceneTilling,
  type SceneClosedEvent,
} from '../../src/strategies/scene-tilling/scene-tilling.js';
import { randomArray, randomGrid } from '../tensor/random-data.js';

test('depth scores follow the TextTiling walk (hand-computed)', () => {
  const depth = depthScores(new Float32Array([0.9, 0.5, 0.8, 0.7, 0.95]));
  const expected = [0, 0.9 + 0.8 - 1.0, 0, 0.8 + 0.95 - 1.4, 0];
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(depth[i]! - expected[i]!) < 1e-6, `depth ${i}: ${depth[i]}`);
});

/** Scenes of constant random descriptors (plus optional noise); returns descriptors and the last frame of each scene. */
function scenes(
  lengths: readonly number[],
  D: number,
  seed: number,
  noise = 0,
): { descriptors: FrameDescriptors; cuts: number[] } {
  const T = lengths.reduce((a, b) => a + b, 0);
  const data = new Float32Array(T * D);
  const jitter = randomArray(T * D, seed + 1000);
  const cuts: number[] = [];
  let t = 0;
  lengths.forEach((length, s) => {
    const vector = randomArray(D, seed * 100 + s);
    for (let i = 0; i < length; i++, t++)
      for (let d = 0; d < D; d++) data[t * D + d] = vector[d]! + noise * jitter[t * D + d]!;
    cuts.push(t - 1);
  });
  const times = Array.from({ length: T }, (_, i) => i / 4);
  return { descriptors: { T, D, data, timestamps: times, frameIndices: times.map((_, i) => i * 2) }, cuts };
}

test('planted cuts are found in k mode and threshold mode; the last frame always closes the last scene', () => {
  const { descriptors, cuts } = scenes([5, 7, 4, 9], 16, 1, 0.05);
  const byK = sceneTilling(descriptors, { k: 3 });
  assert.deepEqual(byK.boundaries, cuts);
  const byThreshold = sceneTilling(descriptors, { alpha: 0.5, cap: 15 });
  assert.deepEqual(byThreshold.boundaries, cuts);
  assert.deepEqual(
    byK.scenes.map((s) => [s.start, s.end]),
    [
      [0, 4],
      [5, 11],
      [12, 15],
      [16, 24],
    ],
  );
  assert.deepEqual([byK.scenes[1]!.startTime, byK.scenes[1]!.endFrameIndex], [5 / 4, 22]);
  const capped = sceneTilling(descriptors, { alpha: 0.5, cap: 2 });
  assert.equal(capped.boundaries.length, 3);
  assert.throws(() => sceneTilling(descriptors, { k: 30 }), { code: 'STRATEGY_INPUT' });
});

function stream(descriptors: FrameDescriptors, options = {}): SceneClosedEvent[] {
  const tiller = new StreamingSceneTiller(options);
  const events: SceneClosedEvent[] = [];
  for (let t = 0; t < descriptors.T; t++) {
    events.push(
      ...tiller.push(
        descriptors.data.subarray(t * descriptors.D, (t + 1) * descriptors.D),
        descriptors.timestamps[t]!,
        descriptors.frameIndices[t]!,
      ),
    );
  }
  events.push(...tiller.end());
  return events;
}

test('streaming emits the same scenes as the offline threshold mode on a prefix-stable example', () => {
  const { descriptors, cuts } = scenes([6, 8, 5, 10, 7, 9], 16, 2);
  const offline = sceneTilling(descriptors, { alpha: 0.5, cap: 15 });
  assert.deepEqual(offline.boundaries, cuts);
  const events = stream(descriptors);
  assert.deepEqual(
    events.map((e) => e.end),
    offline.boundaries,
  );
  assert.deepEqual(
    events.map((e) => [e.start, e.end, e.startTime, e.endTime]),
    offline.scenes.map((s) => [s.start, s.end, s.startTime, s.endTime]),
  );
  // Every prefix's emitted scenes are a prefix of the full run's: nothing emitted is ever taken back.
  for (const length of [10, 20, 31, 40]) {
    const tiller = new StreamingSceneTiller();
    const emitted: number[] = [];
    for (let t = 0; t < length; t++)
      emitted.push(...tiller.push(descriptors.data.subarray(t * 16, (t + 1) * 16), t).map((e) => e.end));
    assert.deepEqual(emitted, offline.boundaries.slice(0, emitted.length));
  }
});

test('a streamed cut is emitted with exactly the offline depth, once its right walk has hit a decrease', () => {
  const { descriptors } = scenes([4, 6, 3, 8, 5, 7, 4, 6], 8, 3, 0.3);
  const offline = sceneTilling(descriptors);
  const events = stream(descriptors, { alpha: 0 });
  assert.ok(events.length > 3);
  for (const event of events.slice(0, -1)) assert.equal(event.depth, offline.depth[event.end], `cut at ${event.end}`);
  assert.equal(events[events.length - 1]!.end, descriptors.T - 1);
  assert.equal(events[events.length - 1]!.depth, null);
  // Scenes tile the stream without gaps.
  for (let i = 1; i < events.length; i++) assert.equal(events[i]!.start, events[i - 1]!.end + 1);
});

test('the streaming detector runs in a bounded window over a long stream', () => {
  const tiller = new StreamingSceneTiller({ window: 8 });
  const D = 4;
  const data = randomArray(3000 * D, 9);
  let last = -1;
  let count = 0;
  for (let t = 0; t < 3000; t++) {
    for (const event of tiller.push(data.subarray(t * D, (t + 1) * D), t)) {
      assert.equal(event.start, last + 1);
      last = event.end;
      count++;
    }
  }
  const tail = tiller.end();
  assert.equal(tail[tail.length - 1]!.end, 2999);
  assert.ok(count > 100);
  assert.throws(() => tiller.push(new Float32Array(D), 1), { code: 'STRATEGY_INPUT' });
});

test('scene memory is bounded by maxTokens and preserves a constant scene', () => {
  const scene = randomGrid(9, 12, 12, 5, 4);
  const memory = sceneMemory(scene);
  assert.ok(memory.count <= 32);
  assert.deepEqual(memory.layout, { t: 2, h: 4, w: 4 });
  assert.equal(memory.tokens.length, memory.count * 5);
  const small = sceneMemory(randomGrid(1, 2, 3, 5, 5), { maxTokens: 32 });
  assert.equal(small.count, 6);
  const constant = featureGrid(3, 4, 4, 2, new Float32Array(96).fill(2), [0, 1, 2], [0, 1, 2]);
  assert.ok(sceneMemory(constant, { maxTokens: 5 }).tokens.every((v) => v === 2));
  const merged = sceneMemory(scene, { maxTokens: 20, method: 'tome' });
  assert.equal(merged.count, 20);
});

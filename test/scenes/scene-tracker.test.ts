/**
 * @file SceneTracker (src/scenes, shared by narration and the scene-stream stage) on synthetic descriptors (no model),
 * with both cut rules: planted cuts close scenes at the right frames with the next
 * scene's first time as the end, cuts inside `minSceneSeconds` are ignored, `maxSceneSeconds` force-closes, held
 * frames stay bounded, memory has at most `memoryTokens` tokens and the prompt gets at most `sceneFrames` frames.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { featureGrid, type FeatureGrid } from '../../src/core/feature-grid.js';
import {
  evenlySpaced,
  SceneTracker,
  type ClosedScene,
  type SceneTrackerEvent,
  type SceneTrackerOptions,
} from '../../src/scenes/scene-tracker.js';

const D = 8;
const h = 2;
const w = 2;

/** A frame of scene `scene` (a direction per scene) with a little frame-to-frame wobble. */
function frame(scene: number, n: number, time: number): { grid: FeatureGrid; descriptor: Float32Array } {
  const descriptor = new Float32Array(D);
  descriptor[scene % D] = 1;
  descriptor[(scene + 3) % D] = 0.05 * Math.sin(n * 1.7) + 0.05;
  descriptor[(scene + 5) % D] = 0.05 * Math.cos(n * 2.3) + 0.05;
  const data = new Float32Array(h * w * D);
  for (let p = 0; p < h * w; p++) data.set(descriptor, p * D);
  return { grid: featureGrid(1, h, w, D, data, [time], [n]), descriptor };
}

const detector = {
  rule: 'depth',
  alpha: 0.5,
  minDepth: 0.05,
  minSceneSeconds: 1,
  maxSceneSeconds: 1000,
  frameInterval: 0.5,
} as const;
const options: SceneTrackerOptions = { detector, maxSceneFrames: 64, sceneFrames: 8, memoryTokens: 4 };
const withDetector = (
  changes: Record<string, unknown>,
  rest: Partial<SceneTrackerOptions> = {},
): SceneTrackerOptions => ({ ...options, ...rest, detector: { ...detector, ...changes } });

function run(
  sceneOfFrame: (n: number) => number,
  count: number,
  trackerOptions: SceneTrackerOptions = options,
): { events: SceneTrackerEvent[]; tracker: SceneTracker } {
  const tracker = new SceneTracker(trackerOptions);
  const events: SceneTrackerEvent[] = [];
  for (let n = 0; n < count; n++) {
    const { grid, descriptor } = frame(sceneOfFrame(n), n, n * 0.5);
    events.push(...tracker.pushDescribed(grid, descriptor, n * 0.5));
  }
  events.push(...tracker.end());
  return { events, tracker };
}

function closed(events: readonly SceneTrackerEvent[]): ClosedScene[] {
  return events.flatMap((event) => (event.kind === 'closed' ? [event.scene] : []));
}

describe('SceneTracker', () => {
  it('closes scenes at planted cuts; each ends where the next starts', () => {
    const { events } = run((n) => Math.floor(n / 10), 40);
    const scenes = closed(events);
    assert.deepEqual(
      scenes.map((scene) => [scene.start, scene.end, scene.closedBy]),
      [
        [0, 5, 'cut'],
        [5, 10, 'cut'],
        [10, 15, 'cut'],
        [15, 20, 'end-of-stream'],
      ],
    );
    const starts = events.flatMap((event) => (event.kind === 'start' ? [[event.scene, event.start]] : []));
    assert.deepEqual(starts, [
      [0, 0],
      [1, 5],
      [2, 10],
      [3, 15],
    ]);
    // Every scene-start comes before that scene's close.
    for (const scene of scenes) {
      const startAt = events.findIndex((event) => event.kind === 'start' && event.scene === scene.scene);
      const closeAt = events.findIndex((event) => event.kind === 'closed' && event.scene.scene === scene.scene);
      assert.ok(startAt < closeAt);
    }
    for (const scene of scenes) {
      assert.equal(scene.frames!.T, 8, 'sceneFrames evenly spaced frames');
      assert.ok(scene.memory!.count <= 4);
      assert.ok(scene.frames!.timestamps.every((time) => time >= scene.start && time < scene.end));
    }
  });

  it('ignores a cut that would make a scene shorter than minSceneSeconds', () => {
    // Scene 1 lasts 2 frames (1 s) between 5 s and 6 s; with minSceneSeconds 2 it is folded into the next scene.
    const { events } = run((n) => (n < 10 ? 0 : n < 12 ? 1 : 2), 30, withDetector({ minSceneSeconds: 2 }));
    const scenes = closed(events);
    assert.deepEqual(
      scenes.map((scene) => [scene.start, scene.end]),
      [
        [0, 5],
        [5, 15],
      ],
    );
  });

  it('force-closes at maxSceneSeconds and bounds the frames it holds', () => {
    const { events, tracker } = run(() => 0, 50, withDetector({ maxSceneSeconds: 4 }, { maxSceneFrames: 5 }));
    const scenes = closed(events);
    assert.ok(scenes.length >= 5);
    for (const scene of scenes.slice(0, -1)) {
      assert.equal(scene.closedBy, 'max-length');
      assert.equal(scene.end - scene.start, 4.5, 'closed at the first frame at or past the limit, plus one interval');
    }
    assert.ok(tracker.peakHeldFrames <= 6, `held ${tracker.peakHeldFrames}`);
    for (let n = 1; n < scenes.length; n++) assert.equal(scenes[n]!.start, scenes[n - 1]!.end);
  });

  it('the threshold rule finds the same planted cuts, at once', () => {
    const { events } = run((n) => Math.floor(n / 10), 40, withDetector({ rule: 'threshold' }));
    assert.deepEqual(
      closed(events).map((scene) => [scene.start, scene.end, scene.closedBy]),
      [
        [0, 5, 'cut'],
        [5, 10, 'cut'],
        [10, 15, 'cut'],
        [15, 20, 'end-of-stream'],
      ],
    );
  });

  it('evenlySpaced keeps the first and last item', () => {
    assert.deepEqual(evenlySpaced([0, 1, 2, 3, 4, 5, 6, 7, 8], 3), [0, 4, 8]);
    assert.deepEqual(evenlySpaced([0, 1], 5), [0, 1]);
    assert.deepEqual(evenlySpaced([0, 1, 2, 3, 4], 1), [2]);
  });
});

/**
 * @file The streaming SceneTilling stage: on frames with planted cuts it emits memory segments for finished scenes
 * (only the most recent `maxMemoryScenes`) and the final scene's frames, within the negotiated bound, both when fed
 * as a stream and all at once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { visualTokenCount, type VisualSegment } from '../../src/core/token-stream.js';
import { createPixelsEncoder } from '../../src/encoders/index.js';
import { buildGraph } from '../../src/graph/build-graph.js';
import { runGraph } from '../../src/graph/run-graph.js';
import { testPipeline } from '../helpers/test-pipeline.js';
import { syntheticFrames } from './synthetic-frames.js';

const encoder = createPixelsEncoder({ size: 112, patch: 14 });

function pipeline(params: Record<string, unknown>) {
  return testPipeline({
    frames: { count: 48, rule: 'np_linspace_int' },
    stages: [{ id: 'scenes', use: 'scene-stream', inputs: 'frames', params }],
    output: 'scenes',
  });
}

test('finished scenes become memory segments; the final scene is kept as frames', async () => {
  const frames = syntheticFrames(48, 112, 8); // a new colour every 8 frames: 6 scenes
  const graph = buildGraph(pipeline({ maxMemoryScenes: 8 }), {
    encoder,
    source: { count: 48, width: 112, height: 112 },
  });
  async function* source() {
    yield* frames;
  }
  const result = await runGraph(graph, source(), { encoder });
  const segments = result.stream.segments as VisualSegment[];
  const memory = segments.filter((segment) => segment.role === 'memory');
  const scene = segments.filter((segment) => segment.role === 'scene');
  assert.equal(memory.length, 5, `scenes noted: ${String(result.notes['scenes.scenes'])}`);
  assert.deepEqual(
    memory.map((segment) => segment.frameIndices[0]),
    [0, 8, 16, 24, 32].map((t) => frames[t]!.index),
  );
  assert.ok(scene.length >= 1 && scene.length <= 8);
  assert.ok(
    scene.every((segment) => segment.frameIndices[0]! >= frames[40]!.index),
    'final scene frames come from the last planted scene',
  );
  assert.ok(visualTokenCount(result.stream) <= graph.tokenCount);
  // Fed all at once (run instead of stream) it gives the same tokens.
  const direct = await graph.output.stage.run({ in: { kind: 'frames', frames } }, graph.output.params, {
    encoder,
    signal: new AbortController().signal,
    note: () => undefined,
  });
  assert.equal(direct.kind, 'tokens');
  assert.deepEqual(
    direct.kind === 'tokens' ? direct.segments.map((segment) => segment.count) : [],
    segments.map((segment) => segment.count),
  );
});

test('only the most recent maxMemoryScenes memories are kept', async () => {
  const frames = syntheticFrames(48, 112, 8);
  const graph = buildGraph(pipeline({ maxMemoryScenes: 2 }), {
    encoder,
    source: { count: 48, width: 112, height: 112 },
  });
  const result = await runGraph(graph, frames, { encoder });
  const memory = (result.stream.segments as VisualSegment[]).filter((segment) => segment.role === 'memory');
  assert.deepEqual(
    memory.map((segment) => segment.frameIndices[0]),
    [24, 32].map((t) => frames[t]!.index),
  );
  assert.equal(graph.tokenCount, 2 * 32 + 8 * 8 * 8);
});

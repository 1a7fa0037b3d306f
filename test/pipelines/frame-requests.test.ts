/**
 * @file How a pipeline's frames spec becomes an ingest request: B-VLLM's middle frame of each second
 * (`position: middle`), native-size frames for IG-VLM (long side capped), and the per-paper resize policy.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPixelsEncoder } from '../../src/encoders/index.js';
import { resolvePipeline } from '../../src/graph/pipeline-registry.js';
import {
  expectedFrameCount,
  frameRequestFor,
  middleOfIntervalTimes,
  runPipeline,
  sourceFrameSize,
} from '../../src/pipeline/run-pipeline.js';
import { sharedVideo } from '../helpers/paths.js';

test('position: middle takes the middle of each 1/fps interval, thinned to maxFrames, with the uniform fallback', () => {
  const spec = { fps: 1, position: 'middle' as const, minFrames: 8, maxFrames: 64 };
  assert.deepEqual(middleOfIntervalTimes(spec, { duration: 10 }), [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5]);
  assert.equal(middleOfIntervalTimes(spec, { duration: 5 }), undefined, 'fewer than minFrames: uniform fallback');
  const long = middleOfIntervalTimes(spec, { duration: 600 })!;
  assert.equal(long.length, 64);
  assert.deepEqual([long[0], long.at(-1)], [0.5, 599.5]);
  assert.deepEqual(
    middleOfIntervalTimes(spec, { duration: 30 }, { start: 10, end: 20 }),
    [10.5, 11.5, 12.5, 13.5, 14.5, 15.5, 16.5, 17.5, 18.5, 19.5],
  );
  assert.equal(expectedFrameCount(spec, { duration: 10, frameCount: 300 }), 10);
  const request = frameRequestFor(spec, 10, { width: 336, height: 336 }, { at: [0.5, 1.5] });
  assert.deepEqual(request.at, [0.5, 1.5]);
});

test('B-VLLM decodes the middle frame of each second (frame 15, 45, ... of a 30 fps clip)', async () => {
  const result = await runPipeline(sharedVideo('yoga.mp4'), { pipeline: 'b-vllm', encoder: 'pixels' });
  assert.deepEqual(
    result.frames.map((frame) => frame.index),
    [15, 45, 75, 105, 135, 165, 195, 225, 255, 285],
  );
});

test('native frames keep the video aspect with the long side capped; other pipelines use the encoder size', async () => {
  const encoder = createPixelsEncoder();
  const igvlm = await resolvePipeline('ig-vlm');
  assert.deepEqual(sourceFrameSize(igvlm.frames, encoder, { width: 592, height: 336 }), { width: 592, height: 336 });
  assert.deepEqual(sourceFrameSize(igvlm.frames, encoder, { width: 3840, height: 2160 }), {
    width: 1920,
    height: 1080,
  });
  const pllava = await resolvePipeline('pllava');
  assert.deepEqual(sourceFrameSize(pllava.frames, encoder, { width: 3840, height: 2160 }), { width: 336, height: 336 });
  assert.equal(pllava.frames.resize, 'crop');
  assert.equal((await resolvePipeline('ts-llava')).frames.resize, 'squash');
  assert.equal((await resolvePipeline('slowfast-llava')).frames.resize, 'squash');
  assert.equal((await resolvePipeline('b-vllm')).frames.resize, 'crop');
});

/**
 * @file The composed built-in pipeline `b-vllm-pllava` ("select then pool"): on a five-scene video B-VLLM's selection
 * keeps frames from several scenes and PLLaVA pools exactly those frames to h/2 x w/2, so the output is
 * kept x (h/2) x (w/2) tokens, within the plan's upper bound; on a single shot it keeps few.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { visualTokenCount } from '../../src/core/token-stream.js';
import { runPipeline } from '../../src/pipeline/run-pipeline.js';
import { scratchDir, sharedVideo } from '../helpers/paths.js';
import { makeMultiSceneVideo, sceneOf } from './b-vllm-media.js';

test('b-vllm-pllava keeps frames across the scenes and pools each to 12x12 (pixels encoder)', async () => {
  const video = await makeMultiSceneVideo(scratchDir('b-vllm-pllava'));
  const result = await runPipeline(video, { pipeline: 'b-vllm-pllava', encoder: 'pixels' });
  const kept = result.notes['select.keptFrames'] as number;
  assert.ok(kept >= 4, `kept ${kept} frames`);
  assert.equal(visualTokenCount(result), kept * 12 * 12);
  assert.ok(result.plan.tokensAreUpperBound && visualTokenCount(result) <= result.plan.tokens);
  const scenes = new Set(
    result.segments.flatMap((segment) => (segment.type === 'visual' ? segment.timestamps.map(sceneOf) : [])),
  );
  assert.ok(scenes.size >= 4, `pooled frames come from ${scenes.size} of 5 scenes`);
  assert.match(String(result.metadata.approximation), /B-VLLM approximation/);

  const single = await runPipeline(sharedVideo('birthday.mp4'), { pipeline: 'b-vllm-pllava', encoder: 'pixels' });
  assert.ok((single.notes['select.keptFrames'] as number) <= 2, 'a single shot keeps at most 2 frames');
});

/**
 * @file Every built-in pipeline end to end on a real H.264 clip (ffmpeg ingest + pixels encoder): the frames the
 * graph consumed are exactly the ones the pipeline's index rule names, the token counts follow each paper's formula,
 * the pixels tokens decode back to the very frames ingest delivers, and an abort mid-run leaves no ffmpeg behind.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { visualTokenCount, type VisualSegment } from '../../src/core/token-stream.js';
import { decodePatchTokens } from '../../src/encoders/index.js';
import { AbortedError, BudgetExceededError } from '../../src/errors/index.js';
import { activeChildProcessIds, extractFrames } from '../../src/ingest/index.js';
import { runPipeline, type PipelineRunResult } from '../../src/pipeline/index.js';
import { frameIndices } from '../../src/sampling/frame-indices.js';
import { sharedVideo } from '../helpers/paths.js';

const clip = sharedVideo('yoga.mp4'); // 300 frames, 10 s, 568x320
const total = 300;

function segments(result: PipelineRunResult): VisualSegment[] {
  return result.segments.filter((segment): segment is VisualSegment => segment.type === 'visual');
}

function assertWellFormed(result: PipelineRunResult): void {
  for (const segment of segments(result)) {
    assert.equal(segment.tokens.length, segment.count * segment.dim);
    assert.equal(segment.dim, 588);
    assert.ok(segment.timestamps.length > 0 && segment.frameIndices.length > 0, `${segment.role} carries its frames`);
    assert.deepEqual(
      [...segment.timestamps],
      [...segment.timestamps].sort((a, b) => a - b),
      'timestamps ascending',
    );
  }
  const pts = result.frames.map((frame) => frame.pts);
  assert.deepEqual(
    pts,
    [...pts].sort((a, b) => a - b),
  );
}

const countPipelines: [name: string, rule: Parameters<typeof frameIndices>[0], frames: number, tokens: number][] = [
  ['uniform', 'np_linspace_int', 8, 8 * 576],
  ['pllava', 'pllava_eval', 16, 16 * 12 * 12],
  ['ts-llava', 'seq_frames', 50, 2880 + 576],
  ['ig-vlm', 'igvlm', 6, 576],
  ['slowfast-llava', 'seq_frames', 50, 10 * 24 * 12 + 50 * 4 * 4],
];

for (const [name, rule, count, tokens] of countPipelines) {
  test(`${name} on a real clip: frames by ${rule}, ${tokens} tokens`, async () => {
    const result = await runPipeline(clip, { pipeline: name, encoder: 'pixels' });
    assert.deepEqual(
      result.frames.map((frame) => frame.index),
      frameIndices(rule, total, count),
    );
    assert.equal(visualTokenCount(result), tokens);
    assert.equal(result.plan.tokens, tokens);
    assert.equal(result.plan.frames, count);
    assertWellFormed(result);
    assert.ok(Object.keys(result.metadata.timings ?? {}).length >= 2);
  });
}

test('b-vllm on a real clip: about 1 fps, at most 576 tokens, approximation noted', async () => {
  const result = await runPipeline(clip, { pipeline: 'b-vllm', question: 'what pose is the person holding?' });
  assert.ok(result.frames.length >= 8 && result.frames.length <= 11, `${result.frames.length} frames`);
  const count = visualTokenCount(result);
  assert.ok(count > 0 && count <= 576, `${count} tokens`);
  assert.match(result.metadata.approximation ?? '', /approximation/i);
  assertWellFormed(result);
});

test('scenetilling on a real clip: 3 memory segments then the last scene (<= 8 frames of 12x12)', async () => {
  const result = await runPipeline(clip, { pipeline: 'scenetilling' });
  assert.deepEqual(
    result.frames.map((frame) => frame.index),
    frameIndices('np_linspace_int', total, 16),
  );
  const roles = segments(result).map((segment) => segment.role);
  assert.deepEqual(roles.slice(0, 3), ['memory', 'memory', 'memory']);
  const scene = segments(result).slice(3);
  assert.ok(scene.length >= 1 && scene.length <= 8);
  assert.ok(scene.every((segment) => segment.role === 'scene' && segment.count === 144));
  assert.ok(visualTokenCount(result) <= 1248);
  assertWellFormed(result);
});

test('pixels tokens of a real clip decode back to the frames ingest delivers', async () => {
  const result = await runPipeline(clip, { pipeline: 'uniform' });
  const { frames } = await extractFrames(clip, {
    count: 8,
    rule: 'np_linspace_int',
    size: { width: 336, height: 336 },
    resize: 'squash',
  });
  const first = segments(result)[0]!;
  const image = decodePatchTokens(first.tokens, { patch: 14, rows: 24, columns: 24 });
  let worst = 0;
  for (let i = 0; i < image.data.length; i++) worst = Math.max(worst, Math.abs(image.data[i]! - frames[0]!.data[i]!));
  assert.ok(worst <= 1, `worst difference ${worst}`);
});

test('a budget below the pipeline fails before decoding and says by how much', async () => {
  let decoded = 0;
  await assert.rejects(
    runPipeline(clip, {
      pipeline: 'slowfast-llava',
      budget: 3000,
      onProgress: (event) => void (event.type === 'frame' && (decoded += 1)),
    }),
    (error: unknown) => error instanceof BudgetExceededError && /over by 680/.test(error.message),
  );
  assert.equal(decoded, 0);
});

test('abort mid-run rejects with AbortedError and leaves no ffmpeg running', async () => {
  const controller = new AbortController();
  const run = runPipeline(clip, {
    pipeline: 'slowfast-llava',
    signal: controller.signal,
    onProgress: (event) => {
      if (event.type === 'frame' && event.count === 3) controller.abort(new Error('test abort'));
    },
  });
  const started = performance.now();
  await assert.rejects(run, AbortedError);
  assert.ok(performance.now() - started < 5000);
  for (let i = 0; i < 40 && activeChildProcessIds().length > 0; i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(activeChildProcessIds(), []);
});

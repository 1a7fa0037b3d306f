// The `select-frames` stage runs before the encoder: the encoder sees only the frames it keeps (counted with a
// wrapping encoder), the kept frames follow the scenes, and the composed `b-vllm-prefilter` pipeline stays within
// its negotiated upper bound and its 576-token budget.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VisualEncoder } from '../../src/core/encoder.js';
import type { VideoFrame } from '../../src/core/frame.js';
import { visualTokenCount } from '../../src/core/token-stream.js';
import { createPixelsEncoder } from '../../src/encoders/index.js';
import { buildGraph } from '../../src/graph/build-graph.js';
import { testPipeline } from '../helpers/test-pipeline.js';
import { resolvePipeline } from '../../src/graph/pipeline-registry.js';
import { runGraph } from '../../src/graph/run-graph.js';
import { sceneClips, sceneOf, selectionMedia } from '../strategies/b-vllm-media.js';
import { syntheticFrames } from './synthetic-frames.js';

const pixels = createPixelsEncoder();

/** The pixels encoder, recording every frame handed to `encodeFrames`. */
function countingEncoder(): VisualEncoder & { readonly encoded: VideoFrame[]; calls: number } {
  const encoded: VideoFrame[] = [];
  const encoder = {
    ...pixels,
    name: 'pixels-counting',
    encoded,
    calls: 0,
    async encodeFrames(frames: readonly VideoFrame[], options?: Parameters<VisualEncoder['encodeFrames']>[1]) {
      encoder.calls += 1;
      encoded.push(...frames);
      return pixels.encodeFrames(frames, options);
    },
    encodeImage: (image: Parameters<VisualEncoder['encodeImage']>[0]) => pixels.encodeImage(image),
  };
  return encoder;
}

async function runPrefilter(frames: readonly VideoFrame[], encoder: VisualEncoder) {
  const graph = buildGraph(await resolvePipeline('b-vllm-prefilter'), {
    encoder,
    source: { count: frames.length, width: 336, height: 336 },
  });
  return { graph, result: await runGraph(graph, frames, { encoder }) };
}

test('select-frames: planted scenes of 8 frames give one kept frame per scene, and only those are encoded', async () => {
  const frames = syntheticFrames(32, 336, 8);
  const encoder = countingEncoder();
  const definition = testPipeline({
    budget: 16 * 576,
    frames: { fps: 1, maxFrames: 64 },
    stages: [
      { id: 'pick', use: 'select-frames' },
      { id: 'encode', use: 'encode' },
      { id: 'tokens', use: 'uniform' },
    ],
    output: 'tokens',
  });
  const graph = buildGraph(definition, { encoder, source: { count: 32, width: 336, height: 336 } });
  assert.equal(graph.tokenCount, 16 * 576); // min(16, T) frames planned, an upper bound
  assert.equal(graph.tokenCountIsUpperBound, true);
  const result = await runGraph(graph, frames, { encoder });
  const kept = result.stream.segments.flatMap((segment) => (segment.type === 'visual' ? segment.frameIndices : []));
  assert.deepEqual(
    kept.map((index) => Math.floor(index / 2 / 8)),
    [0, 1, 2, 3],
  ); // synthetic index = 2n, scene = n div 8
  assert.equal(encoder.encoded.length, 4, 'the encoder saw only the kept frames');
  assert.deepEqual(
    encoder.encoded.map((frame) => frame.index),
    kept,
  );
  assert.equal(result.notes['pick.inputFrames'], 32);
  assert.equal(result.notes['pick.keptFrames'], 4);
  assert.deepEqual(result.notes['pick.keptFrameIndices'], kept);
  assert.equal(visualTokenCount(result.stream), 4 * 576);
});

test('b-vllm-prefilter on a five-clip video: a few frames encoded, at least four clips covered, <= 576 tokens', async () => {
  const { multiScene } = await selectionMedia();
  const encoder = countingEncoder();
  const { graph, result } = await runPrefilter(multiScene, encoder);
  assert.equal(graph.tokenCount, 576);
  assert.equal(graph.tokenCountIsUpperBound, true);
  const encodedTimes = encoder.encoded.map((frame) => frame.pts);
  assert.ok(
    encoder.encoded.length <= 16 && encoder.encoded.length < multiScene.length / 3,
    `${encoder.encoded.length} of ${multiScene.length} frames encoded`,
  );
  assert.ok(new Set(encodedTimes.map(sceneOf)).size >= sceneClips.length - 1, `encoded ${encodedTimes}`);
  assert.equal(encoder.encoded.length, result.notes['prefilter.keptFrames']);
  const total = visualTokenCount(result.stream);
  assert.ok(total > 0 && total <= 576, `${total} tokens`);
  // Every segment's frame is one of the encoded frames; the metadata says the pre-selection saw no question.
  const segmentTimes = result.stream.segments.flatMap((segment) =>
    segment.type === 'visual' ? segment.timestamps : [],
  );
  assert.ok(segmentTimes.every((time) => encodedTimes.includes(time)));
  assert.match(String(result.notes['prefilter.conditioning']), /Not question-conditioned/);
  assert.match(result.stream.metadata.approximation ?? '', /B-VLLM approximation/);
  // Without the prefilter, the encoder sees every frame.
  const everyFrame = countingEncoder();
  const graphAll = buildGraph(await resolvePipeline('b-vllm'), {
    encoder: everyFrame,
    source: { count: multiScene.length, width: 336, height: 336 },
  });
  await runGraph(graphAll, multiScene, { encoder: everyFrame });
  assert.equal(everyFrame.encoded.length, multiScene.length);
});

test('select-frames: deterministic, and a single continuous shot keeps at most two frames', async () => {
  const { singleShot, multiScene } = await selectionMedia();
  const first = countingEncoder();
  const second = countingEncoder();
  await runPrefilter(multiScene, first);
  await runPrefilter(multiScene, second);
  assert.deepEqual(
    first.encoded.map((frame) => frame.index),
    second.encoded.map((frame) => frame.index),
  );
  const single = countingEncoder();
  await runPrefilter(singleShot, single);
  assert.ok(
    single.encoded.length >= 1 && single.encoded.length <= 2,
    `${single.encoded.length} frames of one shot encoded`,
  );
});

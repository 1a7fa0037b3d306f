// B-VLLM selection (softmax weights of K temporal queries, exact merge on the weights, hard argmax frame): it
// separates scenes on a real five-clip video, keeps few frames of one continuous shot, is deterministic, and a
// different question changes the frames when the encoder can embed text. Also B-VLLM's 1-fps frame sampling rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VisualEncoder } from '../../src/core/encoder.js';
import type { VideoFrame } from '../../src/core/frame.js';
import { featureGrid } from '../../src/core/feature-grid.js';
import { clipMean, clipStd, createPixelsEncoder } from '../../src/encoders/pixels.js';
import { buildGraph } from '../../src/graph/build-graph.js';
import { testPipeline } from '../helpers/test-pipeline.js';
import { runGraph } from '../../src/graph/run-graph.js';
import { recordingEncoder } from '../../src/inspect/recording-encoder.js';
import { bvllmFpsFrameIndices } from '../../src/strategies/b-vllm/b-vllm-frame-sample.js';
import {
  bvllmApproximate,
  bvllmSelectFrames,
  bvllmTemporalMergePlan,
} from '../../src/strategies/b-vllm/b-vllm-approximation.js';
import {
  colourHistogramDescriptors,
  unitMeanTokenDescriptors,
  type UnitDescriptors,
} from '../../src/strategies/frame-descriptors.js';
import { loadModel } from '../../src/runtime/vlm-model.js';
import { smolvlm2Fixture } from '../runtime/fixture-models.js';
import { syntheticFrames } from '../graph/synthetic-frames.js';
import { sceneOf, sceneClips, selectionMedia } from './b-vllm-media.js';

const pixels = createPixelsEncoder();

/** T unit descriptors: frame t belongs to scene floor(t / sceneLength), scenes point along orthogonal axes (+ a little noise). */
function blockDescriptors(T: number, sceneLength: number, D = 16): UnitDescriptors {
  const data = new Float32Array(T * D);
  for (let t = 0; t < T; t++) {
    const scene = Math.floor(t / sceneLength);
    data[t * D + (scene % D)] = 1;
    data[t * D + ((scene + 1) % D)] = 0.05 * ((t % 3) - 1);
    let norm = 0;
    for (let d = 0; d < D; d++) norm += data[t * D + d]! ** 2;
    for (let d = 0; d < D; d++) data[t * D + d]! /= Math.sqrt(norm);
  }
  return { T, D, data, kind: 'mean-token' };
}

test('selection: one frame per scene of orthogonal descriptors, weight rows sum to 1, exact merge on the weights', () => {
  const descriptors = blockDescriptors(32, 8);
  const selection = bvllmSelectFrames(descriptors);
  assert.equal(selection.queries, 16);
  assert.equal(selection.frames.length, 4);
  assert.deepEqual(
    selection.frames.map((t) => Math.floor(t / 8)),
    [0, 1, 2, 3],
  );
  for (let k = 0; k < 16; k++) {
    const sum = selection.weights.subarray(k * 32, (k + 1) * 32).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-5, `row ${k} sums to ${sum}`);
  }
  assert.deepEqual(selection.plan.keep, bvllmTemporalMergePlan(selection.weights, 32).keep);
  // two queries per scene: the second of each pair merges into the first
  assert.deepEqual(
    selection.plan.keep,
    [0, 2, 4, 6, 8, 10, 12, 14].filter((k) => k % 4 === 0),
  );
  // identical frames: every query has the same weights, all merge into query 0
  const same = bvllmSelectFrames(blockDescriptors(32, 32));
  assert.equal(same.frames.length, 1);
});

test('selection: question scores move the pick inside a scene but not across scenes', () => {
  const descriptors = blockDescriptors(32, 8);
  const scores = new Float64Array(32).fill(0.1);
  scores[13] = 0.3; // scene 1
  scores[27] = 0.25; // scene 3
  const selection = bvllmSelectFrames(descriptors, { questionScores: scores });
  assert.equal(selection.questionConditioned, true);
  assert.ok(selection.frames.includes(13) && selection.frames.includes(27), `frames ${selection.frames}`);
  assert.deepEqual(
    selection.frames.map((t) => Math.floor(t / 8)),
    [0, 1, 2, 3],
  );
  const unconditioned = bvllmSelectFrames(descriptors);
  assert.notDeepEqual(selection.frames, unconditioned.frames);
});

function runOn(
  frames: readonly VideoFrame[],
  encoder: VisualEncoder,
  question?: string,
  params: Record<string, unknown> = {},
) {
  const definition = testPipeline({
    budget: 576,
    frames: { fps: 1, maxFrames: 64 },
    stages: [
      { id: 'encode', use: 'encode' },
      { id: 'select', use: 'b-vllm', params },
    ],
    output: 'select',
  });
  const graph = buildGraph(definition, { encoder, source: { count: frames.length, width: 336, height: 336 } });
  return runGraph(graph, frames, { encoder, ...(question !== undefined ? { question } : {}) });
}

const keptTimes = (result: Awaited<ReturnType<typeof runOn>>): number[] =>
  result.stream.segments.flatMap((segment) => (segment.type === 'visual' ? [segment.timestamps[0]!] : []));

test('b-vllm on a five-clip video keeps a frame of at least four clips; one continuous shot keeps at most two frames', async () => {
  const { multiScene, singleShot } = await selectionMedia();
  assert.ok(multiScene.length >= 36, `${multiScene.length} frames`);
  const multi = await runOn(multiScene, pixels);
  const scenes = new Set(keptTimes(multi).map(sceneOf));
  assert.ok(scenes.size >= sceneClips.length - 1, `kept ${keptTimes(multi)} covers clips ${[...scenes]}`);
  assert.equal(multi.notes['select.descriptor'], 'colour-histogram');
  assert.equal(multi.notes['select.questionConditioned'], false);
  assert.match(String(multi.notes['select.conditioning']), /no question was given/);
  const single = await runOn(singleShot, pixels);
  assert.ok(keptTimes(single).length <= 2, `single shot kept ${keptTimes(single)}`);
  // The mean-token descriptor (what model encoders use) separates the clips too.
  const meanToken = await runOn(multiScene, pixels, undefined, { descriptor: 'mean-token' });
  assert.ok(keptTimes(meanToken).length >= sceneClips.length - 1, `mean-token kept ${keptTimes(meanToken)}`);
  const meanTokenSingle = await runOn(singleShot, pixels, undefined, { descriptor: 'mean-token' });
  assert.ok(keptTimes(meanTokenSingle).length <= 2, `mean-token single shot kept ${keptTimes(meanTokenSingle)}`);
  // Budget: N = min(576, int(576 / k')) tokens per kept frame.
  const segments = multi.stream.segments.filter((segment) => segment.type === 'visual');
  for (const segment of segments)
    assert.equal(segment.type === 'visual' && segment.count, Math.min(576, Math.trunc(576 / segments.length)));
});

test('b-vllm descriptors: colour histograms for the pixels encoder (also wrapped by inspect), mean tokens when asked', async () => {
  const frames = syntheticFrames(32, 336, 8); // 4 planted scenes
  const wrapped = await runOn(frames, recordingEncoder(pixels));
  assert.equal(wrapped.notes['select.descriptor'], 'colour-histogram');
  assert.deepEqual(
    keptTimes(wrapped).map((time) => Math.floor((time * 25) / 8)),
    [0, 1, 2, 3],
  );
  const meanToken = await runOn(frames, pixels, undefined, { descriptor: 'mean-token' });
  assert.equal(meanToken.notes['select.descriptor'], 'mean-token');
});

test('b-vllm: identical runs give identical output', async () => {
  const { multiScene } = await selectionMedia();
  const a = await runOn(multiScene, pixels);
  const b = await runOn(multiScene, pixels);
  assert.deepEqual(keptTimes(a), keptTimes(b));
  const tokens = (result: typeof a): number[] =>
    result.stream.segments.flatMap((segment) => (segment.type === 'visual' ? Array.from(segment.tokens) : []));
  assert.deepEqual(tokens(a), tokens(b));
});

/** The pixels-encoder token of a uniform patch of one colour (what embed_tokens would be for a colour word). */
function colourToken(rgb: readonly [number, number, number], patch = 14): Float32Array {
  const token = new Float32Array(3 * patch * patch);
  for (let c = 0; c < 3; c++)
    token.fill((rgb[c]! / 255 - clipMean[c]!) / clipStd[c]!, c * patch * patch, (c + 1) * patch * patch);
  return token;
}

const colourWords: Readonly<Record<string, readonly [number, number, number]>> = {
  red: [220, 40, 40],
  blue: [40, 70, 220],
  green: [50, 170, 60],
  white: [245, 245, 245],
  black: [10, 10, 10],
  yellow: [230, 210, 40],
  brown: [120, 80, 40],
};

/** The pixels encoder plus a text embedding: the mean of the colour tokens of the colour words in the text. */
const colourTextEncoder: VisualEncoder = {
  ...pixels,
  name: 'pixels-with-colour-words',
  encodeFrames: (frames, options) => pixels.encodeFrames(frames, options),
  encodeImage: (image, options) => pixels.encodeImage(image, options),
  async embedText(text) {
    const sum = new Float32Array(pixels.dim);
    const words = text
      .toLowerCase()
      .split(/[^a-z]+/)
      .filter((word) => word in colourWords);
    for (const word of words) colourToken(colourWords[word]!).forEach((value, d) => (sum[d]! += value / words.length));
    return sum;
  },
};

test('b-vllm with a colour-word text embedding: two different questions select different frames on the 38-frame video', async () => {
  const { multiScene } = await selectionMedia();
  const white = await runOn(multiScene, colourTextEncoder, 'where is the white thing?');
  const green = await runOn(multiScene, colourTextEncoder, 'where is the green thing?');
  assert.equal(white.notes['select.questionConditioned'], true);
  assert.match(String(white.notes['select.conditioning']), /^Question-conditioned/);
  assert.notDeepEqual(keptTimes(white), keptTimes(green), `white ${keptTimes(white)} green ${keptTimes(green)}`);
  // Still scene-separating with a question.
  assert.ok(new Set(keptTimes(white).map(sceneOf)).size >= sceneClips.length - 1);
  // Same question, same frames.
  const again = await runOn(multiScene, colourTextEncoder, 'where is the white thing?');
  assert.deepEqual(keptTimes(again), keptTimes(white));
});

test('b-vllm with the SmolVLM2 fixture (embedText = mean embed_tokens rows): the question changes the frames of the 38-frame video', async () => {
  const { multiScene } = await selectionMedia();
  const model = await loadModel(smolvlm2Fixture, { runner: 'in-process' });
  try {
    const encoder = model.encoder();
    const dog = await runOn(multiScene, encoder, 'What is the dog doing on the skateboard?');
    const cake = await runOn(multiScene, encoder, 'What colour is the birthday cake?');
    const none = await runOn(multiScene, encoder);
    assert.equal(dog.notes['select.descriptor'], 'mean-token');
    assert.equal(dog.notes['select.questionConditioned'], true);
    assert.equal(none.notes['select.questionConditioned'], false);
    assert.notDeepEqual(keptTimes(dog), keptTimes(cake), `dog ${keptTimes(dog)} cake ${keptTimes(cake)}`);
    for (const result of [dog, cake, none]) {
      assert.ok(new Set(keptTimes(result).map(sceneOf)).size >= sceneClips.length - 1, `kept ${keptTimes(result)}`);
    }
    assert.deepEqual(
      keptTimes(await runOn(multiScene, encoder, 'What is the dog doing on the skateboard?')),
      keptTimes(dog),
    );
  } finally {
    await model.dispose();
  }
});

test('soft mixing: each kept frame is the weighted mixture sum_t W(t) X_t of all frames', async () => {
  const { singleShot } = await selectionMedia();
  const grid = await pixels.encodeFrames(singleShot.slice(0, 12));
  const small = featureGrid(grid.T, grid.h, grid.w, grid.D, grid.data, grid.timestamps, grid.frameIndices);
  const descriptors = colourHistogramDescriptors(singleShot.slice(0, 12));
  const soft = bvllmApproximate(small, { descriptors, mixing: 'soft', budget: 576 * 12 });
  const selection = bvllmSelectFrames(descriptors);
  assert.deepEqual(soft.frames, [...selection.frames]);
  assert.equal(soft.reduction, 'none');
  const frameSize = grid.h * grid.w * grid.D;
  for (const e of [0, 1234, frameSize - 1]) {
    let expected = 0;
    for (let t = 0; t < grid.T; t++) expected += selection.frameWeights[t]! * grid.data[t * frameSize + e]!;
    assert.ok(Math.abs(soft.tokens[e]! - expected) < 1e-4, `element ${e}: ${soft.tokens[e]} vs ${expected}`);
  }
  const hard = bvllmApproximate(small, { descriptors, budget: 576 * 12 });
  assert.deepEqual(
    Array.from(hard.tokens.subarray(0, frameSize)),
    Array.from(grid.data.subarray(hard.frames[0]! * frameSize, (hard.frames[0]! + 1) * frameSize)),
  );
  assert.equal(unitMeanTokenDescriptors(small).kind, 'mean-token');
});

test("B-VLLM's frame_sample(mode='fps'): the middle frame of every second", () => {
  assert.deepEqual(bvllmFpsFrameIndices(300, 30), [15, 45, 75, 105, 135, 165, 195, 225, 255, 285]);
  // 29.97 fps: fps // 1 = 29, start 14
  assert.deepEqual(bvllmFpsFrameIndices(100, 29.97), [14, 43, 72]);
  assert.deepEqual(bvllmFpsFrameIndices(952, 25).slice(0, 3), [12, 37, 62]);
  assert.equal(bvllmFpsFrameIndices(952, 25).length, 38);
  // shorter than one second: segment_len = duration
  assert.deepEqual(bvllmFpsFrameIndices(10, 30), [5]);
  assert.throws(() => bvllmFpsFrameIndices(10, 0.5), RangeError);
});

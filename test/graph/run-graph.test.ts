/**
 * @file Graph execution on synthetic frames: every built-in pipeline produces the segments and token counts its
 * formula says; the encode stage streams through a bounded queue (a slow encoder holds the source back instead of
 * buffering it); an abort mid-run rejects promptly and closes the source; a failing stage fails the run and closes
 * the source; timings and metadata are filled in.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VisualEncoder } from '../../src/core/encoder.js';
import type { VideoFrame } from '../../src/core/frame.js';
import { visualTokenCount, type VisualSegment } from '../../src/core/token-stream.js';
import { createPixelsEncoder } from '../../src/encoders/index.js';
import { AbortedError, InputRejectedError } from '../../src/errors/index.js';
import { BoundedQueue } from '../../src/graph/bounded-queue.js';
import { buildGraph } from '../../src/graph/build-graph.js';
import { testPipeline } from '../helpers/test-pipeline.js';
import { resolvePipeline } from '../../src/graph/pipeline-registry.js';
import { runGraph } from '../../src/graph/run-graph.js';
import { sleep, syntheticFrame, syntheticFrames } from './synthetic-frames.js';

const pixels = createPixelsEncoder();

function visual(segments: readonly unknown[]): VisualSegment[] {
  return segments as VisualSegment[];
}

async function runBuiltIn(name: string, frames: VideoFrame[]) {
  const graph = buildGraph(await resolvePipeline(name), {
    encoder: pixels,
    source: { count: frames.length, width: 336, height: 336 },
  });
  return { graph, result: await runGraph(graph, frames, { encoder: pixels }) };
}

test('uniform: one 576-token segment per frame, with its timestamp and index', async () => {
  const frames = syntheticFrames(8);
  const { result } = await runBuiltIn('uniform', frames);
  const segments = visual(result.stream.segments);
  assert.equal(segments.length, 8);
  segments.forEach((segment, t) => {
    assert.equal(segment.role, 'frames');
    assert.equal(segment.count, 576);
    assert.deepEqual(segment.timestamps, [frames[t]!.pts]);
    assert.deepEqual(segment.frameIndices, [frames[t]!.index]);
  });
  assert.equal(result.stream.dim, 588);
  assert.equal(result.stream.metadata.pipeline, 'uniform');
  assert.equal(result.stream.metadata.encoder, 'pixels:336/14');
  for (const stage of ['encode', 'tokens', 'frames (decode)'])
    assert.equal(typeof result.stream.metadata.timings?.[stage], 'number', stage);
  assert.deepEqual(
    result.frames.map((frame) => frame.index),
    frames.map((frame) => frame.index),
  );
});

test('pllava: 16 pooled frames of 12x12 = 2304 tokens', async () => {
  const { result } = await runBuiltIn('pllava', syntheticFrames(16));
  const segments = visual(result.stream.segments);
  assert.equal(visualTokenCount(result.stream), 2304);
  assert.ok(segments.every((segment) => segment.count === 144 && segment.layout?.h === 12 && segment.layout.w === 12));
});

test('ts-llava: 2880 sampled tokens then a thumbnail image of 576 tokens built from 6 frames', async () => {
  const frames = syntheticFrames(50);
  const { result } = await runBuiltIn('ts-llava', frames);
  const [sampled, thumbnail, ...rest] = visual(result.stream.segments);
  assert.equal(rest.length, 0);
  assert.equal(sampled!.role, 'sampled');
  assert.equal(sampled!.count, 2880);
  assert.equal(thumbnail!.role, 'thumbnail');
  assert.equal(thumbnail!.isImage, true);
  assert.equal(thumbnail!.count, 576);
  // torch.linspace(0, 49, 6).round() = [0, 10, 20, 29, 39, 49]
  assert.deepEqual(
    thumbnail!.frameIndices,
    [0, 10, 20, 29, 39, 49].map((t) => frames[t]!.index),
  );
});

test('ig-vlm: one grid image segment from frames k*floor(T/6)', async () => {
  const frames = syntheticFrames(6);
  const { graph, result } = await runBuiltIn('ig-vlm', frames);
  assert.deepEqual(graph.nodes.find((node) => node.id === 'grid')!.caps, { kind: 'image', width: 672, height: 1008 });
  const [grid] = visual(result.stream.segments);
  assert.equal(result.stream.segments.length, 1);
  assert.equal(grid!.role, 'grid');
  assert.equal(grid!.isImage, true);
  assert.equal(grid!.count, 576);
  assert.deepEqual(
    grid!.frameIndices,
    frames.map((frame) => frame.index),
  );
});

test('slowfast-llava: a slow segment (10 x 24 x 12) then a fast one (50 x 4 x 4)', async () => {
  const frames = syntheticFrames(50);
  const { result } = await runBuiltIn('slowfast-llava', frames);
  const [slow, fast] = visual(result.stream.segments);
  assert.equal(slow!.role, 'slow');
  assert.deepEqual(slow!.layout, { t: 10, h: 24, w: 12 });
  assert.equal(slow!.count, 2880);
  // int(linspace(0, 50, 11))[:-1] = 0, 5, ..., 45
  assert.deepEqual(
    slow!.frameIndices,
    [0, 5, 10, 15, 20, 25, 30, 35, 40, 45].map((t) => frames[t]!.index),
  );
  assert.equal(fast!.role, 'fast');
  assert.equal(fast!.count, 800);
  assert.equal(visualTokenCount(result.stream), 3680);
});

test('b-vllm: at most 576 tokens, per-frame segments in time order, labelled an approximation', async () => {
  const { result } = await runBuiltIn('b-vllm', syntheticFrames(32, 336, 8));
  const segments = visual(result.stream.segments);
  const total = visualTokenCount(result.stream);
  assert.ok(total <= 576 && total > 0, `total ${total}`);
  const times = segments.map((segment) => segment.timestamps[0]!);
  assert.deepEqual(
    times,
    [...times].sort((a, b) => a - b),
  );
  assert.ok(segments.every((segment) => segment.role === 'sampled' && segment.count === segments[0]!.count));
  assert.match(result.stream.metadata.approximation ?? '', /B-VLLM approximation/);
  assert.equal(result.notes['select.questionConditioned'], false); // pixels cannot embed text
});

test('scenetilling: memory segments for the 3 earlier scenes, then the last scene pooled to 12x12', async () => {
  const frames = syntheticFrames(16, 336, 4); // planted cuts every 4 frames
  const { result } = await runBuiltIn('scenetilling', frames);
  const segments = visual(result.stream.segments);
  const memory = segments.filter((segment) => segment.role === 'memory');
  const scene = segments.filter((segment) => segment.role === 'scene');
  assert.equal(memory.length, 3);
  assert.ok(memory.every((segment) => segment.count <= 32));
  assert.deepEqual(segments.slice(0, 3), memory, 'memory first');
  assert.deepEqual(
    scene.map((segment) => segment.frameIndices[0]),
    [12, 13, 14, 15].map((t) => frames[t]!.index),
  );
  assert.ok(scene.every((segment) => segment.count === 144));
  assert.ok(visualTokenCount(result.stream) <= 1248);
  assert.deepEqual(
    (result.notes['scenes.scenes'] as { frames: number[] }[]).map((entry) => entry.frames),
    [
      [0, 6],
      [8, 14],
      [16, 22],
      [24, 30],
    ],
  );
});

/** A pixels encoder that takes `delay` ms per call and counts the frames it has encoded. */
function slowEncoder(delay: number): VisualEncoder & { encoded: number } {
  const inner = createPixelsEncoder({ size: 28, patch: 14 });
  const encoder = {
    ...inner,
    encoded: 0,
    async encodeFrames(frames: readonly VideoFrame[], options?: { signal?: AbortSignal }) {
      await sleep(delay);
      if (options?.signal?.aborted) throw new AbortedError('slow encoder');
      encoder.encoded += frames.length;
      return inner.encodeFrames(frames, options);
    },
  };
  return encoder;
}

function uniformDefinition(count: number) {
  return testPipeline({
    budget: 1_000_000,
    frames: { count, rule: 'np_linspace_int' },
    stages: [
      { id: 'encode', use: 'encode', params: { batchSize: 4 } },
      { id: 'tokens', use: 'uniform' },
    ],
    output: 'tokens',
  });
}

test('bounded queue: a slow encoder holds the source back (frames in flight stay bounded)', async () => {
  const encoder = slowEncoder(5);
  const total = 200;
  let pulled = 0;
  let worstAhead = 0;
  async function* source(): AsyncGenerator<VideoFrame> {
    for (let n = 0; n < total; n++) {
      pulled += 1;
      worstAhead = Math.max(worstAhead, pulled - encoder.encoded);
      yield syntheticFrame(n, 28);
    }
  }
  const graph = buildGraph(uniformDefinition(total), { encoder, source: { count: total, width: 28, height: 28 } });
  const result = await runGraph(graph, source(), { encoder, batchSize: 4, queueCapacity: 2 });
  assert.equal(visualTokenCount(result.stream), total * 4);
  assert.ok(result.queueHighWaterMark <= 2, `queue held ${result.queueHighWaterMark} batches`);
  // Capacity 2 batches of 4 + the batch being filled + the encoder's pending batch of 4 + the one it is encoding.
  assert.ok(worstAhead <= 4 * 2 + 4 + 4 + 4, `source ran ${worstAhead} frames ahead of the encoder`);
});

test('the bounded queue itself: push waits while full, fail rejects both sides', async () => {
  const queue = new BoundedQueue<number>(2);
  await queue.push(1);
  await queue.push(2);
  let third = false;
  const pending = queue.push(3).then(() => (third = true));
  await sleep(10);
  assert.equal(third, false, 'push waits while full');
  const iterator = queue[Symbol.asyncIterator]();
  assert.deepEqual(await iterator.next(), { value: 1, done: false });
  await pending;
  assert.equal(third, true);
  queue.fail(new Error('boom'));
  await assert.rejects(iterator.next(), /boom/);
  await assert.rejects(queue.push(4), /boom/);
});

test('abort mid-run rejects promptly with AbortedError and closes the source', async () => {
  const encoder = slowEncoder(20);
  let closed = false;
  async function* endless(): AsyncGenerator<VideoFrame> {
    try {
      for (let n = 0; ; n++) yield syntheticFrame(n, 28);
    } finally {
      closed = true;
    }
  }
  const graph = buildGraph(uniformDefinition(4000), { encoder, source: { count: 4000, width: 28, height: 28 } });
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('test abort')), 100);
  const started = performance.now();
  await assert.rejects(runGraph(graph, endless(), { encoder, signal: controller.signal }), AbortedError);
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 100 + 1000, `took ${elapsed} ms`);
  assert.equal(closed, true, 'source iterator was closed');
});

test('an already aborted signal rejects before reading any frame', async () => {
  let pulled = 0;
  function* frames(): Generator<VideoFrame> {
    pulled += 1;
    yield syntheticFrame(0, 28);
  }
  const controller = new AbortController();
  controller.abort();
  const encoder = createPixelsEncoder({ size: 28, patch: 14 });
  const graph = buildGraph(uniformDefinition(1), { encoder, source: { count: 1, width: 28, height: 28 } });
  await assert.rejects(runGraph(graph, frames(), { encoder, signal: controller.signal }), AbortedError);
  assert.equal(pulled, 0);
});

test('a failing stage fails the run with its error and closes the source', async () => {
  const inner = createPixelsEncoder({ size: 28, patch: 14 });
  const broken: VisualEncoder = {
    ...inner,
    encodeFrames: async () => Promise.reject(new RangeError('encoder exploded')),
  };
  let closed = false;
  async function* frames(): AsyncGenerator<VideoFrame> {
    try {
      for (let n = 0; n < 1000; n++) yield syntheticFrame(n, 28);
    } finally {
      closed = true;
    }
  }
  const graph = buildGraph(uniformDefinition(1000), {
    encoder: broken,
    source: { count: 1000, width: 28, height: 28 },
  });
  await assert.rejects(runGraph(graph, frames(), { encoder: broken }), /encoder exploded/);
  assert.equal(closed, true);
});

test('a source that fails mid-stream fails the run with the source error', async () => {
  async function* frames(): AsyncGenerator<VideoFrame> {
    yield syntheticFrame(0, 28);
    throw new Error('decoder died');
  }
  const encoder = createPixelsEncoder({ size: 28, patch: 14 });
  const graph = buildGraph(uniformDefinition(4), { encoder, source: { count: 4, width: 28, height: 28 } });
  await assert.rejects(runGraph(graph, frames(), { encoder }), /decoder died/);
});

test('a source that delivers no frames is an input error, not a crash', async () => {
  const encoder = createPixelsEncoder({ size: 28, patch: 14 });
  const graph = buildGraph(uniformDefinition(4), { encoder, source: { count: 4, width: 28, height: 28 } });
  await assert.rejects(
    runGraph(graph, [], { encoder }),
    (error: unknown) => error instanceof InputRejectedError && /no frames/.test(error.message),
  );
});

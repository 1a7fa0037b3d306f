/**
 * @file The model encoders: SmolVLM2 frames → `[T,8,8,32]`, LLaVA-OneVision frames → `[T,14,14,16]` (pooled from
 * 27x27, which `encodeImage` keeps), batching does not change the tokens, `embedText` is the mean of token rows,
 * an end-to-end LLaVA-OneVision session, and `--encoder <model dir>` through the encoder registry.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { resolveEncoder } from '../../src/encoders/index.js';
import { bilinearResample } from '../../src/tensor/bilinear-resample.js';
import { loadModel, type VlmModel } from '../../src/runtime/index.js';
import { llavaOnevisionFixture, smolvlm2Fixture, streamFromGrid, syntheticFrames } from './fixture-models.js';

function maxDifference(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let index = 0; index < a.length; index++) worst = Math.max(worst, Math.abs(a[index]! - b[index]!));
  return worst;
}

describe('SmolVLM2 model encoder', () => {
  let model: VlmModel;
  before(async () => {
    model = await loadModel(smolvlm2Fixture, { runner: 'in-process' });
  });
  after(() => model.dispose());

  it('encodes frames to [T, 8, 8, hidden] with timestamps, independent of the batch size', async () => {
    const frames = syntheticFrames(5);
    const batched = await model.encoder({ batchSize: 2 }).encodeFrames(frames);
    const single = await model.encoder({ batchSize: 8 }).encodeFrames(frames);
    assert.deepEqual([batched.T, batched.h, batched.w, batched.D], [5, 8, 8, 32]);
    assert.deepEqual(batched.timestamps, [0, 1, 2, 3, 4]);
    assert.deepEqual(batched.frameIndices, [0, 30, 60, 90, 120]);
    assert.ok(maxDifference(batched.data, single.data) < 1e-5);
    const frameSize = 64 * 32;
    assert.ok(
      maxDifference(batched.data.subarray(0, frameSize), batched.data.subarray(frameSize, 2 * frameSize)) > 1e-3,
      'different frames give different tokens',
    );
    const image = await model.encoder().encodeImage(frames[2]!);
    assert.deepEqual([image.T, image.h, image.w, image.D], [1, 8, 8, 32]);
    assert.ok(maxDifference(image.data, batched.data.subarray(2 * frameSize, 3 * frameSize)) < 1e-5);
  });

  it('embedText is the mean of the token embedding rows', async () => {
    const encoder = model.encoder();
    const [left, right] = ['Describe this', ' video.'];
    const leftIds = model.tokenizer.encode(left);
    const rightIds = model.tokenizer.encode(right);
    assert.deepEqual(model.tokenizer.encode(left + right), [...leftIds, ...rightIds]);
    const both = await encoder.embedText!(left + right);
    const first = await encoder.embedText!(left);
    const second = await encoder.embedText!(right);
    const total = leftIds.length + rightIds.length;
    for (let d = 0; d < 32; d++) {
      const expected = (first[d]! * leftIds.length + second[d]! * rightIds.length) / total;
      assert.ok(Math.abs(both[d]! - expected) < 1e-5);
    }
    assert.ok(maxDifference(first, second) > 1e-3);
  });

  it('is what `resolveEncoder(<model dir>)` returns through the encoder registry', async () => {
    const encoder = await resolveEncoder(smolvlm2Fixture);
    try {
      assert.equal(encoder.dim, 32);
      assert.deepEqual(encoder.grid, { h: 8, w: 8 });
      assert.deepEqual(encoder.inputSize, { width: 512, height: 512 });
      const grid = await encoder.encodeFrames(syntheticFrames(1));
      const reference = await model.encoder().encodeFrames(syntheticFrames(1));
      assert.ok(maxDifference(grid.data, reference.data) < 1e-5);
    } finally {
      await encoder.dispose?.();
    }
  });
});

describe('LLaVA-OneVision fixture', () => {
  let model: VlmModel;
  before(async () => {
    model = await loadModel(llavaOnevisionFixture, { runner: 'in-process' });
  });
  after(() => model.dispose());

  it('reports the family numbers from config and graphs', () => {
    assert.equal(model.info.family, 'llava-onevision');
    assert.equal(model.info.hidden, 16);
    assert.equal(model.info.vocab, 152000);
    assert.deepEqual(model.info.eos, [151645]);
    assert.equal(model.info.tokensPerFrame, 196);
  });

  it('pools each frame 27x27 → 14x14; encodeImage keeps 27x27', async () => {
    const frames = syntheticFrames(2);
    const grid = await model.encoder().encodeFrames(frames);
    assert.deepEqual([grid.T, grid.h, grid.w, grid.D], [2, 14, 14, 16]);
    const image = await model.encoder().encodeImage(frames[1]!);
    assert.deepEqual([image.T, image.h, image.w, image.D], [1, 27, 27, 16]);
    const pooled = bilinearResample(image.data, [1, 27, 27, 16], [14, 14]);
    assert.ok(maxDifference(pooled, grid.data.subarray(196 * 16)) < 1e-5);
  });

  it('answers through a prefilled session; the context holds 196 <video> rows per frame', async () => {
    const grid = await model.encoder().encodeFrames(syntheticFrames(2));
    const session = await model.createSession(streamFromGrid(grid));
    try {
      assert.equal(session.contextIds.filter((id) => id === 151647).length, 2 * 196);
      const answer = await session.ask('What is shown?', { maxNewTokens: 6 }).result();
      assert.equal(answer.tokenIds.length, 6);
      assert.ok(answer.stats.prefillMilliseconds >= 0);
    } finally {
      await session.dispose();
    }
  });
});

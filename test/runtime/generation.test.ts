/**
 * @file Decode-loop equivalences on the SmolVLM2 fixture (in-process runner): KV-cached decoding equals a full
 * recompute per step, chunked prefill equals one-call prefill, a reused context equals fresh prefills, seeded
 * sampling is reproducible, stop strings, token budget and abort.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AbortedError } from '../../src/errors/index.js';
import { loadModel, type PromptSession, type VlmModel } from '../../src/runtime/index.js';
import { argmax } from '../../src/runtime/token-sampler.js';
import { smolvlm2Fixture, streamFromGrid, syntheticFrames } from './fixture-models.js';

describe('generation on the SmolVLM2 fixture', () => {
  let model: VlmModel;
  let session: PromptSession;
  let imageId: number;
  const question = 'What happens in this video?';

  before(async () => {
    model = await loadModel(smolvlm2Fixture, { runner: 'in-process' });
    const grid = await model.encoder().encodeFrames(syntheticFrames(3));
    session = await model.createSession(streamFromGrid(grid), { prefillChunkSize: 64 });
    imageId = model.tokenizer.tokenId('<image>')!;
  });
  after(async () => {
    await session.dispose();
    await model.dispose();
  });

  async function fullRecompute(ids: number[], chunkSize: number) {
    return model.runner.prefill({
      context: 'recompute',
      inputIds: Int32Array.from(ids),
      placeholderIds: [imageId],
      visualRows: session.visualRows,
      chunkSize,
    });
  }

  it('writes one visual row per <image> position of the context', () => {
    const images = session.contextIds.filter((id) => id === imageId).length;
    assert.equal(images, 3 * 64);
    assert.equal(session.visualRows.length, images * model.info.hidden);
  });

  it('cached decoding gives the same greedy ids as recomputing the whole sequence every step', async () => {
    const cached = await session.ask(question, { maxNewTokens: 12 }).result();
    assert.equal(cached.tokenIds.length, 12);
    const ids = [...session.contextIds, ...session.questionIds(question)];
    const uncached: number[] = [];
    for (let step = 0; step < 12; step++) {
      const { logits } = await fullRecompute(ids, 1 << 20);
      const next = argmax(logits);
      uncached.push(next);
      ids.push(next);
    }
    await model.runner.release('recompute');
    assert.deepEqual(cached.tokenIds, uncached);
    assert.ok(new Set(uncached).size > 1, 'the fixture should not emit one token forever');
  });

  it('chunked prefill gives the same last logits (1e-4) and greedy ids as one full prefill', async () => {
    const ids = [...session.contextIds, ...session.questionIds(question)];
    const full = await fullRecompute(ids, 1 << 20);
    for (const chunk of [1, 7, 100]) {
      const chunked = await fullRecompute(ids, chunk);
      assert.equal(chunked.length, ids.length);
      let worst = 0;
      for (let index = 0; index < full.logits.length; index++)
        worst = Math.max(worst, Math.abs(full.logits[index]! - chunked.logits[index]!));
      assert.ok(worst < 1e-4, `chunk ${chunk}: max logit difference ${worst}`);
      assert.equal(argmax(chunked.logits), argmax(full.logits));
    }
    await model.runner.release('recompute');
    const grid = await model.encoder().encodeFrames(syntheticFrames(3));
    const small = await model.createSession(streamFromGrid(grid), { prefillChunkSize: 5 });
    const large = await model.createSession(streamFromGrid(grid), { prefillChunkSize: 4096 });
    const a = await small.ask(question, { maxNewTokens: 8 }).result();
    const b = await large.ask(question, { maxNewTokens: 8 }).result();
    assert.deepEqual(a.tokenIds, b.tokenIds);
    await small.dispose();
    await large.dispose();
  });

  it('reusing the prefilled context for two questions equals two fresh sessions', async () => {
    const questions = ['Describe this video.', 'What is the person doing?'];
    const reused = [];
    for (const text of questions) reused.push(await session.ask(text, { maxNewTokens: 10 }).result());
    const grid = await model.encoder().encodeFrames(syntheticFrames(3));
    for (const [index, text] of questions.entries()) {
      const fresh = await model.createSession(streamFromGrid(grid));
      const result = await fresh.ask(text, { maxNewTokens: 10 }).result();
      assert.deepEqual(reused[index]!.tokenIds, result.tokenIds, text);
      assert.equal(reused[index]!.stats.reusedTokens, session.contextIds.length);
      await fresh.dispose();
    }
    assert.notDeepEqual(reused[0]!.tokenIds, reused[1]!.tokenIds);
  });

  it('model.generate answers one question like a session does', async () => {
    const grid = await model.encoder().encodeFrames(syntheticFrames(3));
    const viaSession = await session.ask(question, { maxNewTokens: 5 }).result();
    const deltas: number[] = [];
    const generation = model.generate(streamFromGrid(grid), question, { maxNewTokens: 5 });
    for await (const delta of generation) deltas.push(delta.tokenId);
    assert.deepEqual((await generation.result()).tokenIds, viaSession.tokenIds);
    assert.deepEqual(
      deltas.filter((id) => id >= 0),
      [...viaSession.tokenIds],
    );
  });

  it('streams deltas whose text concatenates to the decoded answer', async () => {
    const generation = session.ask(question, { maxNewTokens: 6 });
    const deltas = [];
    for await (const delta of generation) deltas.push(delta);
    const result = await generation.result();
    assert.equal(deltas.map((delta) => delta.text).join(''), result.text);
    assert.deepEqual(
      deltas.filter((delta) => delta.tokenId >= 0).map((delta) => delta.tokenId),
      [...result.tokenIds],
    );
    assert.equal(result.text, model.tokenizer.decode(result.tokenIds));
    assert.equal(result.stats.stopReason, 'max-new-tokens');
  });

  it('seeded sampling is reproducible, and top-k 1 sampling equals greedy', async () => {
    const options = { maxNewTokens: 10, temperature: 1.5, topP: 0.95, seed: 7 };
    const first = await session.ask(question, options).result();
    const second = await session.ask(question, options).result();
    assert.deepEqual(first.tokenIds, second.tokenIds);
    const seeds = await Promise.all(
      [1, 2, 3].map(async (seed) => (await session.ask(question, { ...options, seed }).result()).tokenIds.join(',')),
    );
    assert.ok(new Set([first.tokenIds.join(','), ...seeds]).size > 1, 'different seeds should sample differently');
    const greedy = await session.ask(question, { maxNewTokens: 10 }).result();
    const topOne = await session.ask(question, { maxNewTokens: 10, temperature: 0.8, topK: 1, seed: 3 }).result();
    assert.deepEqual(topOne.tokenIds, greedy.tokenIds);
  });

  it('with a huge repetition penalty no generated token repeats or comes from the prompt', async () => {
    const penalised = await session.ask(question, { maxNewTokens: 48, repetitionPenalty: 1e6 }).result();
    assert.equal(penalised.tokenIds.length, 48);
    assert.equal(new Set(penalised.tokenIds).size, penalised.tokenIds.length);
    const prompt = new Set([...session.contextIds, ...session.questionIds(question)]);
    assert.ok(penalised.tokenIds.every((id) => !prompt.has(id)));
  });

  it('stops at a stop string and does not return it', async () => {
    const reference = await session.ask(question, { maxNewTokens: 8 }).result();
    const stop = model.tokenizer.decode(reference.tokenIds.slice(3, 4));
    const expected = reference.text.slice(0, reference.text.indexOf(stop));
    const generation = session.ask(question, { maxNewTokens: 8, stopStrings: [stop] });
    let streamed = '';
    for await (const delta of generation) streamed += delta.text;
    const result = await generation.result();
    assert.equal(result.stats.stopReason, 'stop-string');
    assert.equal(result.text, expected);
    assert.equal(streamed, expected);
  });

  it('an abort during generation rejects with AbortedError', async () => {
    const controller = new AbortController();
    const generation = session.ask(question, { maxNewTokens: 50, signal: controller.signal });
    let seen = 0;
    await assert.rejects(
      async () => {
        for await (const delta of generation) {
          void delta;
          if (++seen === 3) controller.abort();
        }
      },
      (error: unknown) => error instanceof AbortedError,
    );
    assert.equal(seen, 3);
  });
});

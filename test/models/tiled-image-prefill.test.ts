/**
 * @file A tiled high-resolution image through the real prompt path on the fixture models: the tokenized context has
 * exactly one placeholder position per token of the segment, the rows handed to the runtime are the segment's tokens
 * in order (the engine writes the k-th row at the k-th `<image>` position), a mismatch between positions and rows is
 * an error (checked in the engine's prefill), and
 * the assistant prefix is tokenized at the end of the question so generation continues it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TokenStream, VisualSegment } from '../../src/core/token-stream.js';
import { InputRejectedError } from '../../src/errors/index.js';
import { loadModel, type VlmModel } from '../../src/runtime/index.js';
import { llavaOnevisionFixture, smolvlm2Fixture } from '../runtime/fixture-models.js';

function tiledStream(hidden: number, tiles: NonNullable<VisualSegment['tiles']>): TokenStream {
  const count = tiles.rows * tiles.cols * tiles.tokensPerTile + tiles.globalTokens;
  const tokens = new Float32Array(count * hidden);
  // Token k is filled with k + 1, so the order of the scattered rows can be read back.
  for (let k = 0; k < count; k++) tokens.fill(k + 1, k * hidden, (k + 1) * hidden);
  const segment: VisualSegment = {
    type: 'visual',
    role: 'grid',
    tokens,
    count,
    dim: hidden,
    timestamps: [0, 1, 2, 3, 4, 5],
    frameIndices: [0, 30, 60, 90, 120, 150],
    isImage: true,
    tiles,
  };
  return { dim: hidden, segments: [segment], metadata: { pipeline: 'test', encoder: 'test', params: {} } };
}

for (const [family, directory, placeholder] of [
  ['SmolVLM2', smolvlm2Fixture, '<image>'],
  ['LLaVA-OneVision', llavaOnevisionFixture, '<image>'],
] as const) {
  describe(`tiled image prefill on the ${family} fixture`, () => {
    let model: VlmModel;
    before(async () => {
      model = await loadModel(directory, { runner: 'in-process' });
    });
    after(async () => {
      await model.dispose();
    });

    it('has one placeholder position per token, and the visual rows are the tokens in order', async () => {
      const stream = tiledStream(model.info.hidden, { rows: 2, cols: 3, tokensPerTile: 4, globalTokens: 5 });
      const session = await model.createSession(stream);
      try {
        const id = model.tokenizer.tokenId(placeholder)!;
        assert.equal(session.contextIds.filter((value) => value === id).length, 29);
        assert.equal(session.visualRows.length, 29 * model.info.hidden);
        for (let k = 0; k < 29; k++) assert.equal(session.visualRows[k * model.info.hidden], k + 1, `row ${k}`);
      } finally {
        await session.dispose();
      }
    });

    it('refuses a prompt whose placeholder positions and visual rows disagree', async () => {
      const id = model.tokenizer.tokenId(placeholder)!;
      const hidden = model.info.hidden;
      const inputIds = Int32Array.from([...model.tokenizer.encode('a'), id, id, id]);
      await assert.rejects(
        model.runner.prefill({
          context: 'mismatch',
          inputIds,
          placeholderIds: [id],
          visualRows: new Float32Array(2 * hidden),
          chunkSize: 64,
        }),
        (error: unknown) =>
          error instanceof InputRejectedError &&
          /3 image positions but the stream carries 2 visual tokens/.test(error.message),
      );
    });

    it('tokenizes the assistant prefix at the end of the question', async () => {
      const session = await model.createSession(
        tiledStream(model.info.hidden, { rows: 1, cols: 1, tokensPerTile: 2, globalTokens: 2 }),
      );
      try {
        const plain = Array.from(session.questionIds('What is shown?'));
        const prefixed = Array.from(session.questionIds('What is shown?', 'Answer: In the video,'));
        assert.deepEqual(prefixed.slice(0, plain.length), plain, 'the prefix only extends the question');
        assert.ok(model.tokenizer.decode(prefixed.slice(plain.length)).trim() === 'Answer: In the video,');
        const generated = await session
          .ask('What is shown?', { maxNewTokens: 2, assistantPrefix: 'Answer: In the video,' })
          .result();
        assert.equal(generated.stats.promptTokens, prefixed.length, 'the prefilled question includes the prefix');
      } finally {
        await session.dispose();
      }
    });
  });
}

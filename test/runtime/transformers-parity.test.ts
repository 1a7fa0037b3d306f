/**
 * @file Independent check of the decode loop: the SmolVLM2 fixture loaded offline in transformers.js (v4, fp32,
 * cpu) as a SmolVLM model generates, from the same prompt ids and pixel values, the same greedy token ids as our
 * runtime; and both tokenizers encode the full video prompt identically.
 */
import assert from 'node:assert/strict';
import { basename, dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AutoModelForImageTextToText, AutoTokenizer, env, Tensor } from '@huggingface/transformers';
import { smolvlm2Family } from '../../src/models/index.js';
import { loadModel, type VlmModel } from '../../src/runtime/index.js';
import { smolvlm2Fixture, streamFromGrid, syntheticFrames } from './fixture-models.js';

describe('parity with transformers.js on the SmolVLM2 fixture', () => {
  let model: VlmModel;

  before(async () => {
    env.allowRemoteModels = false;
    env.localModelPath = `${dirname(smolvlm2Fixture)}/`;
    model = await loadModel(smolvlm2Fixture, { runner: 'in-process' });
  });
  after(() => model.dispose());

  it('tokenizes the full video prompt to the same ids', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(basename(smolvlm2Fixture));
    const grid = await model.encoder().encodeFrames(syntheticFrames(2));
    const stream = streamFromGrid(grid);
    const text = smolvlm2Family.contextText(stream, model.tokenizer, {}) + smolvlm2Family.questionText('Describe this video.', model.tokenizer, {});
    const reference = (tokenizer(text, { add_special_tokens: false }).input_ids as Tensor).tolist()[0] as bigint[];
    assert.deepEqual(model.tokenizer.encode(text), reference.map(Number));
    assert.equal(reference.filter((id) => id === 49190n).length, 128);
  });

  it('generates the same greedy ids from the same prompt ids and pixel values', async () => {
    const frames = syntheticFrames(3);
    const grid = await model.encoder().encodeFrames(frames);
    const session = await model.createSession(streamFromGrid(grid));
    const question = 'What is the person doing?';
    const ours = await session.ask(question, { maxNewTokens: 16 }).result();
    await session.dispose();

    const ids = [...session.contextIds, ...session.questionIds(question)];
    const side = smolvlm2Family.imageSize;
    const pixels = new Float32Array(frames.length * 3 * side * side);
    frames.forEach((frame, index) => smolvlm2Family.writePixels(frame, pixels, index * 3 * side * side));
    const reference = await AutoModelForImageTextToText.from_pretrained(basename(smolvlm2Fixture), { dtype: 'fp32', device: 'cpu' });
    try {
      const output = (await reference.generate({
        input_ids: new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]),
        attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
        pixel_values: new Tensor('float32', pixels, [1, frames.length, 3, side, side]),
        pixel_attention_mask: new Tensor('bool', new Uint8Array(frames.length * side * side).fill(1), [1, frames.length, side, side]),
        max_new_tokens: 16,
        do_sample: false,
      })) as Tensor;
      const generated = (output.tolist()[0] as bigint[]).slice(ids.length).map(Number);
      assert.equal(generated.length, 16);
      assert.deepEqual([...ours.tokenIds], generated);
      assert.ok(new Set(generated).size > 2, 'a degenerate single-token answer would make the comparison weak');
    } finally {
      await reference.dispose();
    }
  });
});

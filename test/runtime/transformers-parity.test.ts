/**
 * @file Independent check of the decode loop: the SmolVLM2 fixture loaded offline in transformers.js (v4, cpu) as a
 * SmolVLM model generates, from the same prompt ids and pixel values, the same greedy token ids as our runtime — in
 * fp32 and in every dtype variant the fixture ships (fp16, q4, q4f16, q8, int8, uint8 decoders, q4/fp16 embeds, q4/q8 vision), and
 * in the newer export style (GroupQueryAttention, no position_ids); and both tokenizers encode the video prompt
 * identically. MatMulNBits nodes run as exported here (`quantizedCompute: 'exported'`), as transformers.js runs them;
 * vidtok's default int8 activations for 8-bit nodes are checked against fp32 in export-variants.test.ts.
 */
import assert from 'node:assert/strict';
import { basename, dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AutoModelForImageTextToText, AutoTokenizer, env, Tensor } from '@huggingface/transformers';
import { smolvlm2Family } from '../../src/models/index.js';
import { loadModel, type VlmModel } from '../../src/runtime/index.js';
import { smolvlm2Fixture, smolvlm2GqaFixture, streamFromGrid, syntheticFrames } from './fixture-models.js';

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
    const text =
      smolvlm2Family.contextText(stream, model.tokenizer, {}) +
      smolvlm2Family.questionText('Describe this video.', model.tokenizer, {});
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
    const reference = await AutoModelForImageTextToText.from_pretrained(basename(smolvlm2Fixture), {
      dtype: 'fp32',
      device: 'cpu',
    });
    try {
      const output = (await reference.generate({
        input_ids: new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]),
        attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
        pixel_values: new Tensor('float32', pixels, [1, frames.length, 3, side, side]),
        pixel_attention_mask: new Tensor('bool', new Uint8Array(frames.length * side * side).fill(1), [
          1,
          frames.length,
          side,
          side,
        ]),
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

/** Our greedy ids and transformers.js's on the same files, prompt ids and pixel values, for one dtype choice. */
async function greedyPair(
  directory: string,
  dtype: Record<string, string>,
  maxNewTokens: number,
): Promise<{ ours: number[]; reference: number[] }> {
  env.allowRemoteModels = false;
  env.localModelPath = `${dirname(directory)}/`;
  const model = await loadModel(directory, { runner: 'in-process', dtype, quantizedCompute: 'exported' });
  try {
    const frames = syntheticFrames(3);
    const grid = await model.encoder().encodeFrames(frames);
    const session = await model.createSession(streamFromGrid(grid));
    const question = 'What is the person doing?';
    const ours = await session.ask(question, { maxNewTokens }).result();
    await session.dispose();
    const ids = [...session.contextIds, ...session.questionIds(question)];
    const side = smolvlm2Family.imageSize;
    const pixels = new Float32Array(frames.length * 3 * side * side);
    frames.forEach((frame, index) => smolvlm2Family.writePixels(frame, pixels, index * 3 * side * side));
    const hasMask = model.graphs.vision?.inputs.some((port) => port.name === 'pixel_attention_mask') ?? false;
    const reference = await AutoModelForImageTextToText.from_pretrained(basename(directory), {
      dtype: dtype as never,
      device: 'cpu',
    });
    try {
      const output = (await reference.generate({
        input_ids: new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]),
        attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
        pixel_values: new Tensor('float32', pixels, [1, frames.length, 3, side, side]),
        ...(hasMask
          ? {
              pixel_attention_mask: new Tensor('bool', new Uint8Array(frames.length * side * side).fill(1), [
                1,
                frames.length,
                side,
                side,
              ]),
            }
          : {}),
        max_new_tokens: maxNewTokens,
        do_sample: false,
      })) as Tensor;
      return { ours: [...ours.tokenIds], reference: (output.tolist()[0] as bigint[]).slice(ids.length).map(Number) };
    } finally {
      await reference.dispose();
    }
  } finally {
    await model.dispose();
  }
}

describe('parity with transformers.js on every dtype variant and the newer export style', () => {
  const choices: readonly {
    readonly name: string;
    readonly directory: string;
    readonly dtype: Record<string, string>;
  }[] = [
    {
      name: 'fp16 decoder (fp16 compute, float16 KV and logits)',
      directory: smolvlm2Fixture,
      dtype: { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'fp16' },
    },
    {
      name: 'q4 decoder (MatMulNBits 4-bit)',
      directory: smolvlm2Fixture,
      dtype: { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'q4' },
    },
    {
      name: 'q4f16 decoder',
      directory: smolvlm2Fixture,
      dtype: { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'q4f16' },
    },
    {
      name: 'q8 decoder (MatMulNBits 8-bit)',
      directory: smolvlm2Fixture,
      dtype: { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'q8' },
    },
    {
      name: 'int8 decoder (DynamicQuantizeLinear + MatMulInteger)',
      directory: smolvlm2Fixture,
      dtype: { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'int8' },
    },
    {
      name: 'uint8 decoder',
      directory: smolvlm2Fixture,
      dtype: { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'uint8' },
    },
    {
      name: 'the default alias recipe: embed fp16, vision q4, decoder q4',
      directory: smolvlm2Fixture,
      dtype: { embed_tokens: 'fp16', vision_encoder: 'q4', decoder_model_merged: 'q4' },
    },
    {
      name: 'embed q4 (GatherBlockQuantized), vision q8, decoder q8',
      directory: smolvlm2Fixture,
      dtype: { embed_tokens: 'q4', vision_encoder: 'q8', decoder_model_merged: 'q8' },
    },
    {
      name: 'GroupQueryAttention decoder without position_ids (fp32)',
      directory: smolvlm2GqaFixture,
      dtype: { embed_tokens: 'q4', vision_encoder: 'q8', decoder_model_merged: 'fp32' },
    },
    {
      name: 'GroupQueryAttention decoder q4f16',
      directory: smolvlm2GqaFixture,
      dtype: { embed_tokens: 'q4', vision_encoder: 'q8', decoder_model_merged: 'q4f16' },
    },
  ];
  for (const choice of choices) {
    it(`generates the same greedy ids: ${choice.name}`, async () => {
      const { ours, reference } = await greedyPair(choice.directory, choice.dtype, 12);
      assert.equal(reference.length, 12);
      assert.deepEqual(ours, reference);
      assert.ok(new Set(reference).size > 2, 'a degenerate answer would make the comparison weak');
    });
  }
});

/**
 * @file In-place KV buffers for GroupQueryAttention decoders (src/runtime/kv-buffers.ts): on the GQA fixture, decode
 * steps that append to preallocated buffers give the same logits as steps that concatenate a new cache every time,
 * across a buffer growth, for fp32 and q4f16 (float16 KV) decoders; two questions decoded from one prefilled context
 * do not disturb each other or the context. (Older-style decoders: buffered-attention.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createModelEngine } from '../../src/runtime/model-engine.js';
import { locateModelFiles } from '../../src/runtime/model-files.js';
import type { ModelRunner } from '../../src/runtime/model-runner.js';
import { kvHeadroomRows } from '../../src/runtime/kv-buffers.js';
import { decode, maxDifference, prefillPrompt, prompt } from './decode-helpers.js';
import { smolvlm2GqaFixture } from './fixture-models.js';

async function engine(directory: string, decoder: 'fp32' | 'q4f16', inPlaceKvCache: boolean): Promise<ModelRunner> {
  const runner = createModelEngine({ inPlaceKvCache });
  const files = locateModelFiles(directory, { dtype: { decoder_model_merged: decoder }, requireVision: false });
  await runner.load({ files });
  return runner;
}

describe('in-place KV buffers (GroupQueryAttention decoders)', () => {
  for (const decoder of ['fp32', 'q4f16'] as const) {
    it(`${decoder}: in-place steps match concatenating steps across a buffer growth`, async () => {
      const steps = kvHeadroomRows + 20; // the first buffer holds prompt + headroom rows, so this grows it once
      const results: Float32Array[][] = [];
      for (const inPlace of [true, false]) {
        const runner = await engine(smolvlm2GqaFixture, decoder, inPlace);
        try {
          results.push(await decode(runner, 'c', await prefillPrompt(runner, 'c'), steps, inPlace));
        } finally {
          await runner.dispose();
        }
      }
      assert.ok(
        maxDifference(results[0]!, results[1]!) <= 1e-4,
        `max |Δlogit| ${maxDifference(results[0]!, results[1]!)}`,
      );
    });
  }

  it('two questions from one prefilled context decode as if each were alone', async () => {
    const runner = await engine(smolvlm2GqaFixture, 'fp32', true);
    try {
      const request = { placeholderIds: [], visualRows: new Float32Array(0), chunkSize: 64 };
      await runner.prefill({ ...request, context: 'video', inputIds: prompt });
      const question = (ids: number[]) => Int32Array.from(ids);
      const a = await runner.prefill({ ...request, context: 'a', base: 'video', inputIds: question([5, 6, 7]) });
      const b = await runner.prefill({ ...request, context: 'b', base: 'video', inputIds: question([8, 9]) });
      // Interleaved: a, b, a, b ... each appends to its own buffers.
      const stepsA: Float32Array[] = [];
      const stepsB: Float32Array[] = [];
      for (let step = 0; step < 10; step++) {
        stepsA.push((await runner.step({ context: 'a', tokenId: 200 + step })).logits);
        stepsB.push((await runner.step({ context: 'b', tokenId: 300 + step })).logits);
      }
      // b alone, from the same (untouched) video context.
      const b2 = await runner.prefill({ ...request, context: 'b2', base: 'video', inputIds: question([8, 9]) });
      assert.deepEqual(b2.logits, b.logits, 'the prefilled context is unchanged by the questions decoded from it');
      const alone: Float32Array[] = [];
      for (let step = 0; step < 10; step++)
        alone.push((await runner.step({ context: 'b2', tokenId: 300 + step })).logits);
      assert.ok(maxDifference(stepsB, alone) <= 1e-5);
      // A prefill on top of a decoded (buffer-form) context sees exactly its valid rows.
      const follow = await runner.prefill({ ...request, context: 'a-follow', base: 'a', inputIds: question([11, 12]) });
      assert.equal(follow.length, prompt.length + 3 + 10 + 2);
      assert.ok(a.logits.length > 0 && stepsA.length === 10);
    } finally {
      await runner.dispose();
    }
  });
});

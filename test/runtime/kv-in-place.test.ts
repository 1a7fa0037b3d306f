/**
 * @file In-place KV buffers for GroupQueryAttention decoders (src/runtime/kv-buffers.ts): on the GQA fixture, decode
 * steps that append to preallocated buffers give the same logits as steps that concatenate a new cache every time,
 * across a buffer growth, for fp32 and q4f16 (float16 KV) decoders; two questions decoded from one prefilled context
 * do not disturb each other or the context; and a decoder with plain attention keeps the concatenating path.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createModelEngine } from '../../src/runtime/model-engine.js';
import { locateModelFiles } from '../../src/runtime/model-files.js';
import type { ModelRunner } from '../../src/runtime/model-runner.js';
import { kvHeadroomRows } from '../../src/runtime/kv-buffers.js';
import { smolvlm2Fixture, smolvlm2GqaFixture } from './fixture-models.js';

async function engine(directory: string, decoder: 'fp32' | 'q4f16', inPlaceKvCache: boolean): Promise<ModelRunner> {
  const runner = createModelEngine({ inPlaceKvCache });
  const files = locateModelFiles(directory, { dtype: { decoder_model_merged: decoder }, requireVision: false });
  await runner.load({ files });
  return runner;
}

const prompt = Int32Array.from({ length: 40 }, (_, index) => 100 + ((index * 37) % 900));

/** Prefills the prompt as context `name` in chunks of 16 (several calls with a growing cache); its last logits. */
async function prefillPrompt(runner: ModelRunner, name: string): Promise<Float32Array> {
  const request = { placeholderIds: [], visualRows: new Float32Array(0), chunkSize: 16 };
  return (await runner.prefill({ ...request, context: name, inputIds: prompt })).logits;
}

/** Greedy decode of `steps` tokens after `context`; returns every step's logits. */
async function decode(
  runner: ModelRunner,
  context: string,
  first: Float32Array,
  steps: number,
  expectInPlace: boolean,
): Promise<Float32Array[]> {
  const all: Float32Array[] = [];
  let logits = first;
  for (let step = 0; step < steps; step++) {
    let best = 0;
    for (let index = 1; index < logits.length; index++) if (logits[index]! > logits[best]!) best = index;
    const result = await runner.step({ context, tokenId: best });
    assert.equal(result.inPlaceKv, expectInPlace, `step ${step} in place`);
    logits = result.logits;
    all.push(logits);
  }
  return all;
}

function maxDifference(left: readonly Float32Array[], right: readonly Float32Array[]): number {
  assert.equal(left.length, right.length);
  let worst = 0;
  for (let row = 0; row < left.length; row++)
    for (let index = 0; index < left[row]!.length; index++)
      worst = Math.max(worst, Math.abs(left[row]![index]! - right[row]![index]!));
  return worst;
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

  it('a plain-attention decoder (no GroupQueryAttention) keeps the concatenating path, same logits', async () => {
    const results: Float32Array[][] = [];
    for (const inPlace of [true, false]) {
      const runner = await engine(smolvlm2Fixture, 'fp32', inPlace);
      try {
        results.push(await decode(runner, 'c', await prefillPrompt(runner, 'c'), 5, false));
      } finally {
        await runner.dispose();
      }
    }
    assert.equal(maxDifference(results[0]!, results[1]!), 0);
  });
});

/**
 * @file Decode helpers shared by the KV-cache tests: a fixed 40-token prompt prefilled in chunks of 16, greedy
 * decoding that checks each step's `inPlaceKv`, and the largest logit difference between two runs.
 */
import assert from 'node:assert/strict';
import type { ModelRunner } from '../../src/runtime/model-runner.js';

export const prompt = Int32Array.from({ length: 40 }, (_, index) => 100 + ((index * 37) % 900));

/** Prefills the prompt as context `name` in chunks of 16 (several calls with a growing cache); its last logits. */
export async function prefillPrompt(runner: ModelRunner, name: string): Promise<Float32Array> {
  const request = { placeholderIds: [], visualRows: new Float32Array(0), chunkSize: 16 };
  return (await runner.prefill({ ...request, context: name, inputIds: prompt })).logits;
}

/** Greedy decode of `steps` tokens after `context`; returns every step's logits. */
export async function decode(
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

export function maxDifference(left: readonly Float32Array[], right: readonly Float32Array[]): number {
  assert.equal(left.length, right.length);
  let worst = 0;
  for (let row = 0; row < left.length; row++)
    for (let index = 0; index < left[row]!.length; index++)
      worst = Math.max(worst, Math.abs(left[row]![index]! - right[row]![index]!));
  return worst;
}

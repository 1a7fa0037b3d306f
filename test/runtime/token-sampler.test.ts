/** @file The token sampler on hand-made logits: argmax ties, HF repetition penalty, top-k/top-p support, seeding. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../src/runtime/seeded-random.js';
import { applyRepetitionPenalty, argmax, createTokenSampler } from '../../src/runtime/token-sampler.js';

describe('token sampler', () => {
  it('argmax takes the first of equal maxima', () => {
    assert.equal(argmax(Float32Array.of(1, 3, 3, -1)), 1);
  });

  it('repetition penalty divides positive and multiplies negative logits of seen ids', () => {
    const logits = Float32Array.of(2, 1.5, -1, 0.5);
    applyRepetitionPenalty(logits, new Set([0, 2, 99]), 2);
    assert.deepEqual([...logits], [1, 1.5, -2, 0.5]);
    assert.equal(createTokenSampler({ repetitionPenalty: 2 })(Float32Array.of(2, 1.5, -1, 0.5), new Set([0])), 1);
  });

  it('top-k and top-p only ever return tokens inside the kept set', () => {
    const logits = Float32Array.of(0, 5, 4.9, 1, 4.8, -3);
    const topK = createTokenSampler({ temperature: 5, topK: 2, seed: 1 });
    const topP = createTokenSampler({ temperature: 1, topP: 0.5, seed: 2 });
    const kSeen = new Set<number>();
    const pSeen = new Set<number>();
    for (let index = 0; index < 300; index++) {
      kSeen.add(topK(Float32Array.from(logits), new Set()));
      pSeen.add(topP(Float32Array.from(logits), new Set()));
    }
    assert.deepEqual([...kSeen].sort(), [1, 2]);
    // softmax of (5, 4.9, 4.8, ...): the first token holds ~0.36 < 0.5, the first two ~0.69, so exactly {1, 2}.
    assert.deepEqual([...pSeen].sort(), [1, 2]);
  });

  it('high-temperature sampling follows the softmax frequencies', () => {
    const sampler = createTokenSampler({ temperature: 1, seed: 11 });
    const counts = [0, 0];
    for (let index = 0; index < 4000; index++) counts[sampler(Float32Array.of(Math.log(3), 0), new Set())]! += 1;
    assert.ok(Math.abs(counts[0]! / 4000 - 0.75) < 0.03, `p(0) = ${counts[0]! / 4000}`);
  });

  it('the seeded generator is reproducible and uniform-looking', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const values = Array.from({ length: 1000 }, () => a());
    assert.deepEqual(
      values.slice(0, 5),
      Array.from({ length: 5 }, () => b()),
    );
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    assert.ok(values.every((value) => value >= 0 && value < 1));
    assert.ok(Math.abs(mean - 0.5) < 0.05);
  });
});

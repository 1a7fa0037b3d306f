// B-VLLM: ToMe counts, order and mean properties; the temporal merge rule and budget formula; the deterministic
// approximation (budget respected, question conditioning picks the planted frame, fallback labelled).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { featureGrid } from '../../src/core/feature-grid.js';
import {
  approximationNote,
  bipartiteMergeRound,
  bvllmApproximate,
  bvllmBudget,
  bvllmTemporalMerge,
  noQuestionNote,
  tomeMerge,
} from '../../src/strategies/b-vllm.js';
import { cosineSimilarity } from '../../src/tensor/cosine-similarity.js';
import { randomArray, randomGrid } from '../tensor/random-data.js';

test('ToMe returns exactly min(n, target) tokens for many sizes', () => {
  for (const [n, target] of [[576, 36], [64, 16], [64, 40], [196, 50], [729, 100], [7, 3], [5, 4], [33, 1], [10, 10], [4, 9]] as const) {
    const out = tomeMerge(randomArray(n * 4, n + target), 4, target);
    assert.equal(out.length / 4, Math.min(n, target), `n=${n} target=${target}`);
  }
});

test('ToMe preserves a constant token set and merges exact twins into their twin', () => {
  const constant = new Float32Array(40 * 3).fill(0.5);
  assert.ok(tomeMerge(constant, 3, 7).every((v) => Math.abs(v - 0.5) < 1e-7));
  // 8 tokens: even 2s is a scaled copy of odd 2s+1, the four pairs point in orthogonal directions.
  const twins = new Float32Array(8 * 4);
  for (let s = 0; s < 4; s++) {
    twins[(2 * s) * 4 + s] = 2;
    twins[(2 * s + 1) * 4 + s] = 4;
  }
  const out = bipartiteMergeRound(twins, 4, 4);
  // Output = the four destinations, each the mean of itself (4) and its twin (2) = 3 on its own axis.
  for (let s = 0; s < 4; s++) for (let d = 0; d < 4; d++) assert.equal(out[s * 4 + d], d === s ? 3 : 0);
});

test('ToMe output order: unmerged sources first, by descending best similarity, then destinations', () => {
  const n = 12;
  const dim = 5;
  const x = randomArray(n * dim, 77);
  const r = 2;
  const out = bipartiteMergeRound(x, dim, r);
  const best = (s: number): number => {
    let value = -Infinity;
    for (let j = 1; j < n; j += 2) value = Math.max(value, cosineSimilarity(x, 2 * s * dim, x, j * dim, dim));
    return value;
  };
  const unmerged: number[] = [];
  for (let k = 0; k < n / 2 - r; k++) {
    const row = Array.from(out.subarray(k * dim, (k + 1) * dim));
    const source = [0, 1, 2, 3, 4, 5].find((s) => row.every((v, d) => v === x[2 * s * dim + d]));
    assert.ok(source !== undefined, `output ${k} is not an unmerged even token`);
    unmerged.push(source);
  }
  for (let k = 1; k < unmerged.length; k++) assert.ok(best(unmerged[k - 1]!) >= best(unmerged[k]!));
  // the remaining outputs are n/2 destinations
  assert.equal(out.length / dim, n - r);
});

test('temporal merge: a near-duplicate row merges into its earlier twin; budget formula', () => {
  const w = new Float32Array([1, 0, 0, 0, 1, 0, 0.99, 0.05, 0, 0, 0, 1]);
  const y = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]); // 4 rows of 2 values
  const result = bvllmTemporalMerge(w, 3, y);
  assert.deepEqual(result.keep, [0, 1, 3]);
  assert.deepEqual(Array.from(result.values), [(1 + 5) / 2, (2 + 6) / 2, 3, 4, 7, 8]);
  assert.equal(result.budget, 192);
  assert.deepEqual([16, 12, 8, 1].map((k) => bvllmBudget(k)), [36, 48, 72, 576]);
});

function plantedGrid(): { grid: ReturnType<typeof featureGrid>; question: Float32Array } {
  const T = 32;
  const P = 16;
  const D = 64; // random frame descriptors are then far from each other (cos ~ 0), so the temporal merge keeps them
  const data = randomArray(T * P * D, 5);
  // Frame 21 has 8 tokens pointing exactly along the question direction.
  const question = new Float32Array(D);
  question[3] = 1;
  for (let p = 0; p < 8; p++) {
    const base = (21 * P + p * 2) * D;
    for (let d = 0; d < D; d++) data[base + d] = d === 3 ? 2 : 0;
  }
  const times = Array.from({ length: T }, (_, t) => t);
  return { grid: featureGrid(T, 4, 4, D, data, times, times), question };
}

test('B-VLLM approximation: deterministic, within budget, picks the frame that matches the question', () => {
  const { grid, question } = plantedGrid();
  const a = bvllmApproximate(grid, { question, budget: 64 });
  const b = bvllmApproximate(grid, { question, budget: 64 });
  assert.deepEqual(a.frames, b.frames);
  assert.deepEqual(Array.from(a.tokens), Array.from(b.tokens));
  assert.ok(a.frames.includes(21), `frames ${a.frames}`);
  assert.ok(a.count <= 64);
  assert.equal(a.count, a.frames.length * a.tokensPerFrame);
  assert.equal(a.tokensPerFrame, Math.min(16, Math.trunc(64 / a.frames.length)));
  assert.equal(a.reduction, 'question-top-n');
  assert.equal(a.questionConditioned, true);
  assert.equal(a.approximation, approximationNote);
  for (let i = 1; i < a.frames.length; i++) assert.ok(a.frames[i]! > a.frames[i - 1]!);
  // Frame 21 keeps its question-aligned tokens (top-N by similarity, raster order).
  const position = a.frames.indexOf(21);
  const first = a.tokens.subarray(position * a.tokensPerFrame * 64, position * a.tokensPerFrame * 64 + 64);
  assert.deepEqual(Array.from(first), Array.from({ length: 64 }, (_, d) => (d === 3 ? 2 : 0)));
});

test('B-VLLM approximation without a question: middle frames, ToMe, labelled as not question-conditioned', () => {
  const grid = randomGrid(40, 4, 4, 6, 8);
  const result = bvllmApproximate(grid, { budget: 100 });
  assert.equal(result.questionConditioned, false);
  assert.equal(result.reduction, 'tome');
  assert.ok(result.approximation.includes(noQuestionNote));
  assert.ok(result.count <= 100);
  // 16 windows over 40 frames: window k = [floor(2.5k), floor(2.5(k+1))), middle = start + floor((len-1)/2)
  const expected = Array.from({ length: 16 }, (_, k) => {
    const a = Math.floor((k * 40) / 16);
    const b = Math.floor(((k + 1) * 40) / 16);
    return a + Math.floor((b - a - 1) / 2);
  });
  for (const frame of result.frames) assert.ok(expected.includes(frame));
  assert.throws(() => bvllmApproximate(grid, { question: new Float32Array(5) }), { code: 'STRATEGY_INPUT' });
});

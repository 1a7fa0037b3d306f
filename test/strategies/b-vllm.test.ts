// B-VLLM: ToMe counts, order and mean properties; the temporal merge rule and budget formula; the deterministic
// approximation (budget respected, question conditioning picks the planted frame, unconditioned runs labelled).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { featureGrid } from '../../src/core/feature-grid.js';
import {
  approximationNote,
  bipartiteMergeRound,
  bvllmApproximate,
  bvllmBudget,
  bvllmTemporalMerge,
  tomeMerge,
} from '../../src/strategies/b-vllm/b-vllm-approximation.js';
import { cosineSimilarity } from '../../src/tensor/cosine-similarity.js';
import { randomArray, randomGrid } from '../tensor/random-data.js';

test('ToMe returns exactly min(n, target) tokens for many sizes', () => {
  for (const [n, target] of [
    [576, 36],
    [64, 16],
    [64, 40],
    [196, 50],
    [729, 100],
    [7, 3],
    [5, 4],
    [33, 1],
    [10, 10],
    [4, 9],
  ] as const) {
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
    twins[2 * s * 4 + s] = 2;
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
  assert.deepEqual(
    [16, 12, 8, 1].map((k) => bvllmBudget(k)),
    [36, 48, 72, 576],
  );
});

/** 32 frames in 4 scenes of 8 (a random pattern per scene plus small per-frame noise); frame 21 (scene 2) has 8 tokens pushed along the question. */
function plantedGrid(): { grid: ReturnType<typeof featureGrid>; question: Float32Array } {
  const T = 32;
  const P = 16;
  const D = 64;
  const patterns = randomArray(4 * P * D, 5);
  const noise = randomArray(T * P * D, 6);
  const data = new Float32Array(T * P * D);
  for (let t = 0; t < T; t++) {
    for (let e = 0; e < P * D; e++)
      data[t * P * D + e] = patterns[Math.floor(t / 8) * P * D + e]! + 0.05 * noise[t * P * D + e]!;
  }
  const question = new Float32Array(D);
  question[3] = 1;
  // +3 along the question on the even tokens, -3 on the odd ones: the frame's mean token (its descriptor) is unchanged.
  for (let p = 0; p < P; p++) data[(21 * P + p) * D + 3]! += p % 2 === 0 ? 3 : -3;
  const times = Array.from({ length: T }, (_, t) => t);
  return { grid: featureGrid(T, 4, 4, D, data, times, times), question };
}

test('B-VLLM approximation: deterministic, within budget, picks the frame that matches the question', () => {
  const { grid, question } = plantedGrid();
  const a = bvllmApproximate(grid, { question, budget: 32 });
  const b = bvllmApproximate(grid, { question, budget: 32 });
  assert.deepEqual(a.frames, b.frames);
  assert.deepEqual(Array.from(a.tokens), Array.from(b.tokens));
  assert.ok(a.frames.includes(21), `frames ${a.frames}`);
  // one frame per scene: the four scenes' queries do not merge, the queries inside a scene do
  assert.deepEqual(
    a.frames.map((t) => Math.floor(t / 8)),
    [0, 1, 2, 3],
  );
  assert.ok(a.count <= 32);
  assert.equal(a.count, a.frames.length * a.tokensPerFrame);
  assert.equal(a.tokensPerFrame, 8);
  assert.equal(a.reduction, 'question-top-n');
  assert.equal(a.questionConditioned, true);
  assert.ok(a.approximation.startsWith(approximationNote));
  assert.match(a.conditioning, /^Question-conditioned/);
  for (let i = 1; i < a.frames.length; i++) assert.ok(a.frames[i]! > a.frames[i - 1]!);
  // Frame 21 keeps its 8 question-aligned tokens, the even positions, in raster order (top-N by similarity).
  const position = a.frames.indexOf(21);
  for (let n = 0; n < 8; n++) {
    const kept = a.tokens.subarray((position * 8 + n) * 64, (position * 8 + n + 1) * 64);
    assert.deepEqual(
      Array.from(kept),
      Array.from(grid.data.subarray((21 * 16 + 2 * n) * 64, (21 * 16 + 2 * n + 1) * 64)),
    );
  }
  // Without the question the same scenes are kept, but frame 21 is no longer the pick of scene 2.
  const unconditioned = bvllmApproximate(grid, {
    budget: 32,
    unconditionedReason: 'no text embedding (pixels encoder)',
  });
  assert.deepEqual(
    unconditioned.frames.map((t) => Math.floor(t / 8)),
    [0, 1, 2, 3],
  );
  assert.ok(!unconditioned.frames.includes(21));
});

test('B-VLLM approximation without a question: ToMe, labelled as not question-conditioned with the reason', () => {
  const grid = randomGrid(40, 4, 4, 6, 8);
  const result = bvllmApproximate(grid, { budget: 100, unconditionedReason: 'no text embedding (pixels encoder)' });
  assert.equal(result.questionConditioned, false);
  assert.equal(result.reduction, 'tome');
  assert.match(
    result.approximation,
    /Not question-conditioned \(no text embedding \(pixels encoder\)\): frames chosen by scene-separating mean-token descriptors only/,
  );
  assert.ok(result.count <= 100);
  assert.equal(result.queries, 16);
  assert.ok(result.frames.length >= 1 && result.frames.length <= 16);
  assert.throws(() => bvllmApproximate(grid, { question: new Float32Array(5) }), { code: 'STRATEGY_INPUT' });
});

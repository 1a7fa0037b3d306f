/**
 * @file B-VLLM's exact, parameter-free temporal merge (`bvlm/model/bvlm_arch.py` `merge_temporal` with
 * `bvlm/model/merge.py` `threshold_soft_matching`, zhuqiangLu/B-VLLM@51ccbf08875b8984327dfce1c2637dbf72c6fdf6) and its
 * per-frame budget rule. Row i of the selection weights `[K, weightDim]` is dropped into `argmax_{j<i} S_ij` when
 * `max_{j<i} S_ij > threshold` with `S = (cos + 1) / 2` (float32 as torch computes it); kept rows ascending. Checked
 * bit-exactly against the golden vectors (`bvllm_temporal_merge`).
 */
import { StrategyInputError } from '../../errors/index.js';
import { cosineSimilarity } from '../../tensor/cosine-similarity.js';
import { requireInteger } from '../strategy-input.js';

/** B-VLLM's released constants: merge threshold 0.75, 16 temporal queries, 576 = 18 x 32 tokens, 32 Q-Former queries. */
export const bvllmConstants = { threshold: 0.75, windows: 16, budget: 576, queries: 32 } as const;

export interface TemporalMergeResult {
  /** Kept rows, ascending. */
  readonly keep: number[];
  /** `[k', ...]` merged rows (each kept row averaged with the rows merged into it). */
  readonly values: Float32Array;
  /** Per-frame token budget `int(max(1, (576 div 32) / k' * 32))`. */
  readonly budget: number;
}

/** Which rows the temporal merge keeps and where every dropped row goes. */
export interface TemporalMergePlan {
  /** Kept rows, ascending. */
  readonly keep: number[];
  /** For each row: -1 when kept, else the earlier row it is averaged into. */
  readonly target: Int32Array;
}

/**
 * The decision half of B-VLLM's temporal merge over `weights` (`[K, weightDim]`): row i is dropped into
 * `argmax_{j<i} S_ij` when `max_{j<i} S_ij > threshold`, with `S = (cos + 1) / 2` in float32 as torch computes it.
 */
export function bvllmTemporalMergePlan(
  weights: Float32Array,
  weightDim: number,
  threshold: number = bvllmConstants.threshold,
): TemporalMergePlan {
  requireInteger('b-vllm', 'weight dimension', weightDim);
  const K = weights.length / weightDim;
  if (!Number.isInteger(K) || K < 1)
    throw new StrategyInputError('b-vllm', `weights length ${weights.length} is not K x ${weightDim}`);
  const target = new Int32Array(K).fill(-1);
  for (let i = 1; i < K; i++) {
    let best = 0;
    let bestIndex = 0;
    for (let j = 0; j < i; j++) {
      const similarity = Math.fround(
        (Math.fround(cosineSimilarity(weights, i * weightDim, weights, j * weightDim, weightDim)) + 1) / 2,
      );
      if (similarity > best) {
        best = similarity;
        bestIndex = j;
      }
    }
    if (best > threshold) target[i] = bestIndex;
  }
  const keep: number[] = [];
  for (let i = 0; i < K; i++) if (target[i] === -1) keep.push(i);
  return { keep, target };
}

/**
 * Kept row `k` of a merge: the mean of `row(k)` and every `row(i)` with `target[i] = k` (rows merged into a dropped
 * row are lost, as in the original). Returns `row(k)` itself when nothing was merged into it.
 */
export function mergedRow(
  plan: TemporalMergePlan,
  k: number,
  rowSize: number,
  row: (index: number) => Float32Array,
): Float32Array {
  const sources: number[] = [];
  for (let i = k + 1; i < plan.target.length; i++) if (plan.target[i] === k) sources.push(i);
  const own = row(k);
  if (sources.length === 0) return own;
  const accumulator = Float64Array.from(own);
  for (const i of sources) {
    const other = row(i);
    for (let e = 0; e < rowSize; e++) accumulator[e]! += other[e]!;
  }
  const out = new Float32Array(rowSize);
  const count = sources.length + 1;
  for (let e = 0; e < rowSize; e++) out[e] = accumulator[e]! / count;
  return out;
}

/**
 * B-VLLM's temporal merge. `weights` is `[K, weightDim]` (the selection weights of the K temporal queries, or any
 * per-row descriptor), `values` is `[K, ...]` (row size `values.length / K`).
 */
export function bvllmTemporalMerge(
  weights: Float32Array,
  weightDim: number,
  values: Float32Array,
  threshold: number = bvllmConstants.threshold,
): TemporalMergeResult {
  const plan = bvllmTemporalMergePlan(weights, weightDim, threshold);
  const K = plan.target.length;
  const rowSize = values.length / K;
  if (!Number.isInteger(rowSize) || rowSize < 1)
    throw new StrategyInputError('b-vllm', `values length ${values.length} is not ${K} rows`);
  const merged = new Float32Array(plan.keep.length * rowSize);
  const row = (index: number): Float32Array => values.subarray(index * rowSize, (index + 1) * rowSize);
  plan.keep.forEach((k, n) => merged.set(mergedRow(plan, k, rowSize, row), n * rowSize));
  return { keep: plan.keep, values: merged, budget: bvllmBudget(plan.keep.length) };
}

/** B-VLLM's per-frame budget `int(max(1, (tokens div queries) / kept * queries))` (576 and 32 in the release). */
export function bvllmBudget(
  kept: number,
  tokens: number = bvllmConstants.budget,
  queries: number = bvllmConstants.queries,
): number {
  return Math.trunc(Math.max(1, (Math.floor(tokens / queries) / kept) * queries));
}

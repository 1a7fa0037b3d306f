/**
 * @file B-VLLM: the exact parameter-free parts (temporal merge of selected frames, per-frame budget, ToMe) and a
 * deterministic training-free APPROXIMATION of its learned, question-conditioned frame and token selection.
 *
 * Reference: zhuqiangLu/B-VLLM@51ccbf08875b8984327dfce1c2637dbf72c6fdf6, `bvlm/model/bvlm_arch.py`
 * (`BVLMMetaForCausalLM.vlm_attention`, `merge_temporal`) and `bvlm/model/merge.py` (`threshold_soft_matching`,
 * `multi_layer_merge`, `bipartite_soft_matching`, `merge_wavg`).
 *
 * Exact: `bvllmTemporalMerge` (`S = (cos(w_i, w_j) + 1)/2` for j < i, rows with `max_j S > 0.75` averaged into their
 * best earlier row and dropped, budget `int(max(1, (576 div 32) / k' * 32))`) and `tomeMerge` (merge.py semantics
 * and output order).
 *
 * Approximated (the spec's "faithful training-free approximation", §5): the two learned Q-Formers and the Gumbel-
 * softmax sampling are replaced by (1) question-conditioned frame scores `s_t = mean of the top-k cos(X[t,p], e_q)`,
 * argmax per each of `K = min(16, T)` contiguous windows (hard one-hot selection, temporal order kept); (2) the exact
 * temporal-merge rule applied to the picked frames' mean-token descriptors; (3) budget `N = int(max(1, B / k'))`;
 * (4) per-frame reduction to N tokens by ToMe or by question-conditioned top-N (raster order kept). Without a
 * question embedding, each window's middle frame is taken and ToMe reduces the tokens; the result says so.
 */
import type { FeatureGrid } from '../core/feature-grid.js';
import { StrategyInputError } from '../errors/index.js';
import { cosineSimilarity, dotProduct } from '../tensor/cosine-similarity.js';
import { tomeMerge } from '../tensor/token-merging.js';
import { requireGrid, requireInteger } from './strategy-input.js';

export { tomeMerge, bipartiteMergeRound } from '../tensor/token-merging.js';

/** Label attached to every result of the approximation (and to a pipeline's metadata). */
export const approximationNote =
  'B-VLLM approximation: the learned temporal/spatial Q-Formers and Gumbel-softmax frame sampling are replaced by ' +
  'deterministic question-to-token cosine scores (top-k mean per frame, argmax per window) and ToMe or top-N token ' +
  'selection; only the temporal merge rule, the budget formula and ToMe are exact.';

/** Appended to the note when no question embedding was available. */
export const noQuestionNote =
  'No question embedding was available: each window contributed its middle frame and ToMe reduced the tokens (not question-conditioned).';

export const bvllmDefaults = { threshold: 0.75, windows: 16, topK: 8, budget: 576, queries: 32 };

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
export function bvllmTemporalMergePlan(weights: Float32Array, weightDim: number, threshold: number = bvllmDefaults.threshold): TemporalMergePlan {
  requireInteger('b-vllm', 'weight dimension', weightDim);
  const K = weights.length / weightDim;
  if (!Number.isInteger(K) || K < 1) throw new StrategyInputError('b-vllm', `weights length ${weights.length} is not K x ${weightDim}`);
  const target = new Int32Array(K).fill(-1);
  for (let i = 1; i < K; i++) {
    let best = 0;
    let bestIndex = 0;
    for (let j = 0; j < i; j++) {
      const similarity = Math.fround((Math.fround(cosineSimilarity(weights, i * weightDim, weights, j * weightDim, weightDim)) + 1) / 2);
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
function mergedRow(plan: TemporalMergePlan, k: number, rowSize: number, row: (index: number) => Float32Array): Float32Array {
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
  threshold: number = bvllmDefaults.threshold,
): TemporalMergeResult {
  const plan = bvllmTemporalMergePlan(weights, weightDim, threshold);
  const K = plan.target.length;
  const rowSize = values.length / K;
  if (!Number.isInteger(rowSize) || rowSize < 1) throw new StrategyInputError('b-vllm', `values length ${values.length} is not ${K} rows`);
  const merged = new Float32Array(plan.keep.length * rowSize);
  const row = (index: number): Float32Array => values.subarray(index * rowSize, (index + 1) * rowSize);
  plan.keep.forEach((k, n) => merged.set(mergedRow(plan, k, rowSize, row), n * rowSize));
  return { keep: plan.keep, values: merged, budget: bvllmBudget(plan.keep.length) };
}

/** B-VLLM's per-frame budget `int(max(1, (tokens div queries) / kept * queries))` (576 and 32 in the release). */
export function bvllmBudget(kept: number, tokens: number = bvllmDefaults.budget, queries: number = bvllmDefaults.queries): number {
  return Math.trunc(Math.max(1, (Math.floor(tokens / queries) / kept) * queries));
}

export type BvllmReduction = 'tome' | 'question-top-n';

export interface BvllmApproximationOptions {
  /** Question embedding `e_q` in the grid's token space (mean of the question's input embeddings). */
  readonly question?: Float32Array;
  /** Total visual-token budget B (default 576). */
  readonly budget?: number;
  /** Maximum number of selection windows K (default 16). */
  readonly windows?: number;
  /** Tokens averaged into a frame's question score (default 8). */
  readonly topK?: number;
  /** Temporal merge threshold on `(cos+1)/2` (default 0.75). */
  readonly threshold?: number;
  /** Per-frame reduction (default: question-top-n with a question, tome without). */
  readonly reduction?: BvllmReduction;
}

export interface BvllmApproximationResult {
  /** Grid positions of the frames kept after the temporal merge, ascending. */
  readonly frames: number[];
  /** Tokens per kept frame N. */
  readonly tokensPerFrame: number;
  /** `[frames.length * tokensPerFrame, D]`, frame-major. */
  readonly tokens: Float32Array;
  readonly count: number;
  readonly dim: number;
  readonly timestamps: number[];
  readonly frameIndices: number[];
  readonly questionConditioned: boolean;
  readonly reduction: BvllmReduction | 'none';
  /** Frame scores `s_t` (empty without a question). */
  readonly scores: Float64Array;
  /** Always set: this is an approximation of a learned selector. */
  readonly approximation: string;
}

/** The deterministic training-free B-VLLM approximation over a feature grid `[T, h, w, D]`. */
export function bvllmApproximate(grid: FeatureGrid, options: BvllmApproximationOptions = {}): BvllmApproximationResult {
  requireGrid('b-vllm', grid);
  const { T, D } = grid;
  const P = grid.h * grid.w;
  const budget = options.budget ?? bvllmDefaults.budget;
  const maxWindows = options.windows ?? bvllmDefaults.windows;
  const topK = Math.min(options.topK ?? bvllmDefaults.topK, P);
  const threshold = options.threshold ?? bvllmDefaults.threshold;
  requireInteger('b-vllm', 'budget', budget);
  requireInteger('b-vllm', 'windows', maxWindows);
  requireInteger('b-vllm', 'top-k', topK);
  const question = options.question;
  if (question !== undefined && question.length !== D) {
    throw new StrategyInputError('b-vllm', `question embedding has ${question.length} values, tokens have ${D}`);
  }
  const K = Math.min(maxWindows, T);
  const scores = question === undefined ? new Float64Array(0) : frameQuestionScores(grid, question, topK);
  const picks: number[] = [];
  for (let k = 0; k < K; k++) {
    const a = Math.floor((k * T) / K);
    const b = Math.floor(((k + 1) * T) / K);
    if (question === undefined) {
      picks.push(a + Math.floor((b - a - 1) / 2));
      continue;
    }
    let best = a;
    for (let t = a + 1; t < b; t++) if (scores[t]! > scores[best]!) best = t;
    picks.push(best);
  }
  const frameSize = P * D;
  const descriptors = new Float32Array(K * D);
  const accumulator = new Float64Array(D);
  picks.forEach((t, k) => {
    accumulator.fill(0);
    const base = t * frameSize;
    for (let p = 0; p < P; p++) for (let d = 0; d < D; d++) accumulator[d]! += grid.data[base + p * D + d]!;
    for (let d = 0; d < D; d++) descriptors[k * D + d] = accumulator[d]! / P;
  });
  const plan = bvllmTemporalMergePlan(descriptors, D, threshold);
  const kept = plan.keep.length;
  const perFrame = Math.min(P, Math.trunc(Math.max(1, budget / kept)));
  const reduction: BvllmReduction | 'none' =
    perFrame >= P ? 'none' : (options.reduction ?? (question === undefined ? 'tome' : 'question-top-n'));
  if (reduction === 'question-top-n' && question === undefined) {
    throw new StrategyInputError('b-vllm', 'question-top-n reduction needs a question embedding');
  }
  // Picked frames are read in place from the grid; only frames that absorbed others are materialised.
  const pickedFrame = (k: number): Float32Array => grid.data.subarray(picks[k]! * frameSize, (picks[k]! + 1) * frameSize);
  const tokens = new Float32Array(kept * perFrame * D);
  plan.keep.forEach((k, n) => {
    const frame = mergedRow(plan, k, frameSize, pickedFrame);
    let reduced: Float32Array;
    if (reduction === 'none') reduced = frame;
    else if (reduction === 'tome') reduced = tomeMerge(frame, D, perFrame);
    else reduced = topTokensInRasterOrder(frame, P, D, question!, perFrame);
    tokens.set(reduced, n * perFrame * D);
  });
  const frames = plan.keep.map((k) => picks[k]!);
  return {
    frames,
    tokensPerFrame: perFrame,
    tokens,
    count: kept * perFrame,
    dim: D,
    timestamps: frames.map((t) => grid.timestamps[t]!),
    frameIndices: frames.map((t) => grid.frameIndices[t]!),
    questionConditioned: question !== undefined,
    reduction,
    scores,
    approximation: question === undefined ? `${approximationNote} ${noQuestionNote}` : approximationNote,
  };
}

/** `s_t` = mean of the `topK` largest cosine similarities between frame t's tokens and the question embedding. */
export function frameQuestionScores(grid: FeatureGrid, question: Float32Array, topK: number): Float64Array {
  const P = grid.h * grid.w;
  const D = grid.D;
  const scores = new Float64Array(grid.T);
  const similarities = new Float64Array(P);
  const questionNorm = Math.sqrt(dotProduct(question, 0, question, 0, D));
  const data = grid.data;
  for (let t = 0; t < grid.T; t++) {
    for (let p = 0; p < P; p++) {
      const base = (t * P + p) * D;
      let dot = 0;
      let norm = 0;
      for (let d = 0; d < D; d++) {
        const value = data[base + d]!;
        dot += value * question[d]!;
        norm += value * value;
      }
      // torch.cosine_similarity's guard: x·y / max(|x|·|y|, 1e-8)
      similarities[p] = dot / Math.max(Math.sqrt(norm) * questionNorm, 1e-8);
    }
    similarities.sort();
    let sum = 0;
    for (let i = P - topK; i < P; i++) sum += similarities[i]!;
    scores[t] = sum / topK;
  }
  return scores;
}

/** The `count` tokens most similar to the question (ties: lower position), returned in raster order. */
function topTokensInRasterOrder(frame: Float32Array, P: number, D: number, question: Float32Array, count: number): Float32Array {
  const similarity = new Float64Array(P);
  for (let p = 0; p < P; p++) similarity[p] = cosineSimilarity(frame, p * D, question, 0, D);
  const order = Array.from({ length: P }, (_, p) => p).sort((a, b) => similarity[b]! - similarity[a]! || a - b);
  const chosen = order.slice(0, count).sort((a, b) => a - b);
  const out = new Float32Array(count * D);
  chosen.forEach((p, i) => out.set(frame.subarray(p * D, (p + 1) * D), i * D));
  return out;
}

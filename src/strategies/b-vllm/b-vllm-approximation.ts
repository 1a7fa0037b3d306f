/**
 * @file B-VLLM: the exact parameter-free parts (temporal merge of the selection weights, per-frame budget, ToMe) and a
 * deterministic training-free APPROXIMATION of its learned, question-conditioned frame and token selection.
 *
 * Reference: zhuqiangLu/B-VLLM@51ccbf08875b8984327dfce1c2637dbf72c6fdf6, `bvlm/model/bvlm_arch.py`
 * (`BVLMMetaForCausalLM.vlm_attention`, `merge_temporal`) and `bvlm/model/merge.py` (`threshold_soft_matching`,
 * `multi_layer_merge`, `bipartite_soft_matching`, `merge_wavg`); frames as `bvlm/mm_utils.py` `frame_sample(mode='fps')`
 * picks them (`b-vllm-frame-sample.ts`).
 *
 * Exact: `bvllmTemporalMerge` / `bvllmTemporalMergePlan` (b-vllm-temporal-merge.ts, golden-checked), the budget
 * `int(max(1, (576 div 32) / k' * 32))` and `tomeMerge` (merge.py semantics and output order).
 *
 * Approximated (b-vllm-selection.ts has the details): the 16 learned temporal queries become K = min(16, T) queries
 * anchored at each window's middle frame; their selection weights `W_k = softmax(logitScale * (cos(query, frame
 * descriptor) + questionWeight * zscore(s)_t) / 0.5)` over ALL T frames (B-VLLM's temperature, no Gumbel noise),
 * with `s_t` the question-to-frame score (mean of the top-k cos(X[t,p], e_q)) when the encoder can embed text; the
 * exact merge runs on W; each kept query gives the hard frame `argmax_t W_k(t)` (`mixing: 'soft'` gives B-VLLM's
 * soft mixture `sum_t W_k(t) X_t` instead). The spatial Q-Former becomes ToMe or question top-N per frame.
 *
 * Token count against the paper: B-VLLM's spatial Q-Former emits 32 tokens per kept frame (k' <= 16, so <= 512 in
 * all; its ToMe step never fires because N >= 36 > 32). We have no Q-Former, so a kept frame keeps
 * `N = min(P, int(max(1, B / k')))` of its own P tokens (B = 576 by default): the same budget formula, applied to
 * the encoder's real tokens instead of to 32 learned queries. One kept frame therefore gives min(P, 576) tokens, not
 * 32; sixteen give 36 each (576), not 32 (512).
 */
import type { FeatureGrid } from '../../core/feature-grid.js';
import { StrategyInputError } from '../../errors/index.js';
import { cosineSimilarity, dotProduct } from '../../tensor/cosine-similarity.js';
import { tomeMerge } from '../../tensor/token-merging.js';
import { bvllmConstants } from './b-vllm-temporal-merge.js';
import { bvllmSelectFrames, bvllmSelectionDefaults } from './b-vllm-selection.js';
import { unitMeanTokenDescriptors, type DescriptorKind, type UnitDescriptors } from '../frame-descriptors.js';
import { requireGrid, requireInteger } from '../strategy-input.js';

export { tomeMerge, bipartiteMergeRound } from '../../tensor/token-merging.js';
export {
  bvllmBudget,
  bvllmTemporalMerge,
  bvllmTemporalMergePlan,
  type TemporalMergePlan,
  type TemporalMergeResult,
} from './b-vllm-temporal-merge.js';
export {
  bvllmSelectFrames,
  bvllmSelectionDefaults,
  type BvllmSelection,
  type BvllmSelectionOptions,
} from './b-vllm-selection.js';

/** Label attached to every result of the approximation (and to a pipeline's metadata). */
export const approximationNote =
  'B-VLLM approximation: the learned temporal Q-Former queries and Gumbel-softmax sampling are replaced by K = min(16, T) ' +
  'deterministic queries (one per window, anchored at its middle frame) whose selection weights are a temperature-0.5 ' +
  'softmax of descriptor cosines over all frames (plus standardised question-to-frame scores when a text embedding ' +
  'exists); the exact temporal merge runs on those weights, each kept query contributes its highest-weight frame ' +
  '(hard, not the soft mixture), and ToMe or question top-N replaces the spatial Q-Former (N = int(576 / kept) of ' +
  "the frame's own tokens, not 32 queries). Only the temporal merge rule, the budget formula and ToMe are exact.";

/** The sentence saying how the frames were conditioned, for the metadata. */
export function conditioningNote(
  questionConditioned: boolean,
  descriptor: DescriptorKind,
  unconditionedReason = 'no question embedding',
): string {
  const descriptorWords = descriptor === 'colour-histogram' ? 'colour-histogram descriptors' : 'mean-token descriptors';
  if (questionConditioned) {
    return `Question-conditioned: selection weights combine ${descriptorWords} with the question-to-frame scores (mean of the top-k token-to-question cosines).`;
  }
  return `Not question-conditioned (${unconditionedReason}): frames chosen by scene-separating ${descriptorWords} only, tokens reduced by ToMe.`;
}

export const bvllmDefaults = {
  threshold: bvllmConstants.threshold,
  windows: bvllmConstants.windows,
  topK: 8,
  budget: bvllmConstants.budget,
  queries: bvllmConstants.queries,
};

export type BvllmReduction = 'tome' | 'question-top-n';

/** How a kept query becomes a frame: its highest-weight frame (default) or B-VLLM's weighted mixture of all frames. */
export type BvllmMixing = 'hard' | 'soft';

export interface BvllmApproximationOptions {
  /** Question embedding `e_q` in the grid's token space (mean of the question's input embeddings). */
  readonly question?: Float32Array;
  /** Frame descriptors for the selection weights (default: the grid's unit mean tokens). */
  readonly descriptors?: UnitDescriptors;
  /** Total visual-token budget B (default 576). */
  readonly budget?: number;
  /** Maximum number of temporal queries K (default 16). */
  readonly windows?: number;
  /** Tokens averaged into a frame's question score (default 8). */
  readonly topK?: number;
  /** Temporal merge threshold on `(cos+1)/2` (default 0.75). */
  readonly threshold?: number;
  /** Multiplies the cosines before the temperature softmax (default 10). */
  readonly logitScale?: number;
  /** Weight of the standardised question scores (default 0.05). */
  readonly questionWeight?: number;
  /** Per-frame reduction (default: question-top-n with a question, tome without). */
  readonly reduction?: BvllmReduction;
  /** Hard frame per kept query (default) or B-VLLM's soft mixture. */
  readonly mixing?: BvllmMixing;
  /** Why no question embedding is given, for the metadata (e.g. "pixels encoder: no text embedding"). */
  readonly unconditionedReason?: string;
}

export interface BvllmApproximationResult {
  /** Grid positions of the frames kept (each kept query's highest-weight frame), ascending. */
  readonly frames: number[];
  /** Temporal queries K before the merge. */
  readonly queries: number;
  /** Tokens per kept frame N. */
  readonly tokensPerFrame: number;
  /** `[frames.length * tokensPerFrame, D]`, frame-major. */
  readonly tokens: Float32Array;
  readonly count: number;
  readonly dim: number;
  readonly timestamps: number[];
  readonly frameIndices: number[];
  readonly questionConditioned: boolean;
  readonly descriptor: DescriptorKind;
  readonly mixing: BvllmMixing;
  readonly reduction: BvllmReduction | 'none';
  /** Frame scores `s_t` (empty without a question). */
  readonly scores: Float64Array;
  /** How the selection was conditioned (question or descriptors only, and why). */
  readonly conditioning: string;
  /** Always set: this is an approximation of a learned selector (with the conditioning sentence). */
  readonly approximation: string;
}

/** `sum_t weights[t] * frame_t` over the grid: B-VLLM's soft mixing `Y = W X` for one row of W. */
function mixFrames(grid: FeatureGrid, weights: Float32Array): Float32Array {
  const frameSize = grid.h * grid.w * grid.D;
  const accumulator = new Float64Array(frameSize);
  for (let t = 0; t < grid.T; t++) {
    const weight = weights[t]!;
    if (weight === 0) continue;
    const base = t * frameSize;
    for (let e = 0; e < frameSize; e++) accumulator[e]! += weight * grid.data[base + e]!;
  }
  return Float32Array.from(accumulator);
}

/** The deterministic training-free B-VLLM approximation over a feature grid `[T, h, w, D]`. */
export function bvllmApproximate(grid: FeatureGrid, options: BvllmApproximationOptions = {}): BvllmApproximationResult {
  requireGrid('b-vllm', grid);
  const { T, D } = grid;
  const P = grid.h * grid.w;
  const budget = options.budget ?? bvllmDefaults.budget;
  const topK = Math.min(options.topK ?? bvllmDefaults.topK, P);
  const mixing = options.mixing ?? 'hard';
  requireInteger('b-vllm', 'budget', budget);
  requireInteger('b-vllm', 'top-k', topK);
  const question = options.question;
  if (question !== undefined && question.length !== D) {
    throw new StrategyInputError('b-vllm', `question embedding has ${question.length} values, tokens have ${D}`);
  }
  const descriptors = options.descriptors ?? unitMeanTokenDescriptors(grid);
  if (descriptors.T !== T) throw new StrategyInputError('b-vllm', `${descriptors.T} frame descriptors for ${T} frames`);
  const scores = question === undefined ? new Float64Array(0) : frameQuestionScores(grid, question, topK);
  const selection = bvllmSelectFrames(descriptors, {
    windows: options.windows ?? bvllmSelectionDefaults.windows,
    threshold: options.threshold ?? bvllmSelectionDefaults.threshold,
    logitScale: options.logitScale ?? bvllmSelectionDefaults.logitScale,
    questionWeight: options.questionWeight ?? bvllmSelectionDefaults.questionWeight,
    ...(question !== undefined ? { questionScores: scores } : {}),
  });
  const frames = [...selection.frames];
  const kept = frames.length;
  const perFrame = Math.min(P, Math.trunc(Math.max(1, budget / kept)));
  const reduction: BvllmReduction | 'none' =
    perFrame >= P ? 'none' : (options.reduction ?? (question === undefined ? 'tome' : 'question-top-n'));
  if (reduction === 'question-top-n' && question === undefined) {
    throw new StrategyInputError('b-vllm', 'question-top-n reduction needs a question embedding');
  }
  const frameSize = P * D;
  const tokens = new Float32Array(kept * perFrame * D);
  frames.forEach((t, n) => {
    const frame =
      mixing === 'soft'
        ? mixFrames(grid, selection.frameWeights.subarray(n * T, (n + 1) * T))
        : grid.data.subarray(t * frameSize, (t + 1) * frameSize);
    let reduced: Float32Array;
    if (reduction === 'none') reduced = frame;
    else if (reduction === 'tome') reduced = tomeMerge(frame, D, perFrame);
    else reduced = topTokensInRasterOrder(frame, P, D, question!, perFrame);
    tokens.set(reduced, n * perFrame * D);
  });
  const conditioning = conditioningNote(question !== undefined, descriptors.kind, options.unconditionedReason);
  return {
    frames,
    queries: selection.queries,
    tokensPerFrame: perFrame,
    tokens,
    count: kept * perFrame,
    dim: D,
    timestamps: frames.map((t) => grid.timestamps[t]!),
    frameIndices: frames.map((t) => grid.frameIndices[t]!),
    questionConditioned: question !== undefined,
    descriptor: descriptors.kind,
    mixing,
    reduction,
    scores,
    conditioning,
    approximation: `${approximationNote} ${conditioning}`,
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
function topTokensInRasterOrder(
  frame: Float32Array,
  P: number,
  D: number,
  question: Float32Array,
  count: number,
): Float32Array {
  const similarity = new Float64Array(P);
  for (let p = 0; p < P; p++) similarity[p] = cosineSimilarity(frame, p * D, question, 0, D);
  const order = Array.from({ length: P }, (_, p) => p).sort((a, b) => similarity[b]! - similarity[a]! || a - b);
  const chosen = order.slice(0, count).sort((a, b) => a - b);
  const out = new Float32Array(count * D);
  chosen.forEach((p, i) => out.set(frame.subarray(p * D, (p + 1) * D), i * D));
  return out;
}

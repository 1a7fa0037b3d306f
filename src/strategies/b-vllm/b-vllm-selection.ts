/**
 * @file B-VLLM-style frame selection, deterministic and training-free. B-VLLM (bvlm_arch.py `vlm_attention`) has 16
 * learned temporal queries; each gets selection weights over all T frames, `W_k = gumbel_softmax(q_k·cls_t/sqrt(C),
 * tau = 0.5)`, then near-duplicate queries are merged by the exact rule `(cos(W_i, W_j) + 1)/2 > 0.75`.
 *
 * Here: `K = min(windows, T)` queries, query k anchored at the middle frame `a_k` of the k-th of K contiguous
 * windows; logits `z_k(t) = logitScale * (cos(g_{a_k}, g_t) + questionWeight * zscore(s)_t)` over unit descriptors
 * `g` (mean token or colour histogram) and, when a question embedding exists, the standardised question-to-frame
 * scores `s_t`; `W_k = softmax(z_k / temperature)` with B-VLLM's temperature 0.5 and NO Gumbel noise (identical
 * input, identical output); then B-VLLM's exact temporal merge on W (`bvllmTemporalMergePlan`, the golden-checked
 * function). Queries anchored in one scene spread their weight over that scene, so their W agree and merge; queries in
 * different scenes put their weight on disjoint frames (cos(W) near 0) and stay: the number kept follows the number
 * of distinct scenes. `logitScale` plays the part of B-VLLM's unnormalised `q·cls/sqrt(C)` (cosines alone, divided
 * by 0.5, give a softmax too flat to separate anything).
 *
 * Deviation: each kept query contributes the HARD frame `argmax_t W_k(t)` (of its row averaged with the rows merged
 * into it), not B-VLLM's soft mixture `Y_k = sum_t W_k(t) X_t`; `mixWeights` gives the soft rows for callers that
 * mix. Two queries that pick the same frame give one frame. Kept frames are returned in temporal order.
 */
import { StrategyInputError } from '../../errors/index.js';
import { bvllmConstants, bvllmTemporalMergePlan, mergedRow, type TemporalMergePlan } from './b-vllm-temporal-merge.js';
import type { UnitDescriptors } from '../frame-descriptors.js';
import { requireInteger } from '../strategy-input.js';

/** Selection defaults: B-VLLM's 16 queries, 0.75 threshold and temperature 0.5; our logit scale and question weight. */
export const bvllmSelectionDefaults = {
  windows: bvllmConstants.windows,
  threshold: bvllmConstants.threshold,
  temperature: 0.5,
  logitScale: 10,
  questionWeight: 0.05,
} as const;

export interface BvllmSelectionOptions {
  /** Maximum number of temporal queries K (default 16). */
  readonly windows?: number;
  /** Temporal merge threshold on `(cos(W_i, W_j) + 1) / 2` (default 0.75). */
  readonly threshold?: number;
  /** Softmax temperature (B-VLLM's gumbel_softmax tau, default 0.5). */
  readonly temperature?: number;
  /** Multiplies the cosines before the softmax (default 10). */
  readonly logitScale?: number;
  /** Question-to-frame scores `s_t` (length T); omitted when no text embedding exists. */
  readonly questionScores?: Float64Array;
  /** Weight of the standardised question scores beside the descriptor cosine (default 0.05). */
  readonly questionWeight?: number;
}

export interface BvllmSelection {
  /** K, the number of temporal queries. */
  readonly queries: number;
  /** Anchor frame of every query (the middle frame of its window). */
  readonly anchors: readonly number[];
  /** Selection weights `[K, T]`, each row summing to 1. */
  readonly weights: Float32Array;
  /** The exact B-VLLM temporal merge over `weights`. */
  readonly plan: TemporalMergePlan;
  /** Selected frame positions (0..T-1), ascending and distinct. */
  readonly frames: readonly number[];
  /** Weight rows of the selected frames `[frames.length, T]`: the merged W rows of the queries that chose each frame, averaged. */
  readonly frameWeights: Float32Array;
  /** Whether question scores took part. */
  readonly questionConditioned: boolean;
}

/** `(s - mean) / std` over the frames; all zeros when the scores do not vary. */
function standardise(scores: Float64Array): Float64Array {
  const T = scores.length;
  let mean = 0;
  for (let t = 0; t < T; t++) mean += scores[t]!;
  mean /= T;
  let variance = 0;
  for (let t = 0; t < T; t++) variance += (scores[t]! - mean) ** 2;
  const deviation = Math.sqrt(variance / T);
  const out = new Float64Array(T);
  if (!(deviation > 1e-9)) return out;
  for (let t = 0; t < T; t++) out[t] = (scores[t]! - mean) / deviation;
  return out;
}

/** The middle frame of each of `K` contiguous windows over `T` frames. */
export function windowAnchors(T: number, K: number): number[] {
  return Array.from({ length: K }, (_, k) => {
    const a = Math.floor((k * T) / K);
    const b = Math.floor(((k + 1) * T) / K);
    return a + Math.floor((b - a - 1) / 2);
  });
}

/** Deterministic B-VLLM-style selection over unit descriptors (see the file header). */
export function bvllmSelectFrames(descriptors: UnitDescriptors, options: BvllmSelectionOptions = {}): BvllmSelection {
  const { T, D, data } = descriptors;
  const windows = options.windows ?? bvllmSelectionDefaults.windows;
  const threshold = options.threshold ?? bvllmSelectionDefaults.threshold;
  const temperature = options.temperature ?? bvllmSelectionDefaults.temperature;
  const logitScale = options.logitScale ?? bvllmSelectionDefaults.logitScale;
  const questionWeight = options.questionWeight ?? bvllmSelectionDefaults.questionWeight;
  requireInteger('b-vllm', 'frames', T);
  requireInteger('b-vllm', 'windows', windows);
  if (data.length !== T * D)
    throw new StrategyInputError('b-vllm', `descriptors have ${data.length} values, not ${T} x ${D}`);
  if (!(temperature > 0)) throw new StrategyInputError('b-vllm', `temperature must be positive, got ${temperature}`);
  if (!(logitScale > 0)) throw new StrategyInputError('b-vllm', `logit scale must be positive, got ${logitScale}`);
  const scores = options.questionScores;
  if (scores !== undefined && scores.length !== T)
    throw new StrategyInputError('b-vllm', `${scores.length} question scores for ${T} frames`);
  const question = scores === undefined ? undefined : standardise(scores);

  const K = Math.min(windows, T);
  const anchors = windowAnchors(T, K);
  const weights = new Float32Array(K * T);
  const logits = new Float64Array(T);
  anchors.forEach((anchor, k) => {
    let largest = -Infinity;
    for (let t = 0; t < T; t++) {
      // Descriptors are unit rows (or zero), so the dot product is the cosine.
      let cosine = 0;
      for (let d = 0; d < D; d++) cosine += data[anchor * D + d]! * data[t * D + d]!;
      const logit =
        (logitScale * (cosine + (question === undefined ? 0 : questionWeight * question[t]!))) / temperature;
      logits[t] = logit;
      if (logit > largest) largest = logit;
    }
    let sum = 0;
    for (let t = 0; t < T; t++) {
      logits[t] = Math.exp(logits[t]! - largest);
      sum += logits[t]!;
    }
    for (let t = 0; t < T; t++) weights[k * T + t] = logits[t]! / sum;
  });

  const plan = bvllmTemporalMergePlan(weights, T, threshold);
  const row = (k: number): Float32Array => weights.subarray(k * T, (k + 1) * T);
  const chosen = new Map<number, Float32Array[]>();
  for (const k of plan.keep) {
    const merged = mergedRow(plan, k, T, row);
    let best = 0;
    for (let t = 1; t < T; t++) if (merged[t]! > merged[best]!) best = t;
    const rows = chosen.get(best);
    if (rows === undefined) chosen.set(best, [merged]);
    else rows.push(merged);
  }
  const frames = [...chosen.keys()].sort((a, b) => a - b);
  const frameWeights = new Float32Array(frames.length * T);
  frames.forEach((frame, n) => {
    const rows = chosen.get(frame)!;
    for (const merged of rows) for (let t = 0; t < T; t++) frameWeights[n * T + t]! += merged[t]! / rows.length;
  });
  return { queries: K, anchors, weights, plan, frames, frameWeights, questionConditioned: question !== undefined };
}

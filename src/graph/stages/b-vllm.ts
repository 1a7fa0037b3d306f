/**
 * @file The `b-vllm` stage: the deterministic training-free approximation of B-VLLM (Lu et al. 2024, "B-VLLM: A
 * Vision Large Language Model with Balanced Spatio-Temporal Tokens", github.com/zhuqiangLu/B-VLLM) from
 * src/strategies/b-vllm.ts: frames picked per temporal window by question-to-token similarity (middle frame without
 * a question embedding), B-VLLM's exact temporal merge and budget rule, then ToMe or question top-N per frame. One
 * segment (role `sampled`) per kept frame. The question embedding comes from the encoder's `embedText` when it has
 * one (model encoders); the pixels encoder has none, so the run notes the unconditioned fallback.
 */
import { bvllmApproximate, bvllmDefaults, approximationNote, type BvllmReduction } from '../../strategies/b-vllm.js';
import type { VisualSegment } from '../../core/token-stream.js';
import type { StageDescriptor } from '../stage.js';
import { expectCaps, expectPayload, throwIfAborted } from './stage-helpers.js';

export interface BvllmParams {
  /** Total visual-token budget B (B-VLLM: 576 = 18 x 32). */
  readonly budget: number;
  /** Maximum number of selection windows K. */
  readonly windows: number;
  readonly topK: number;
  readonly threshold: number;
  /** Per-frame reduction; default question top-N with a question embedding, ToMe without. */
  readonly reduction?: BvllmReduction;
}

/** Largest token count the approximation can produce: max over kept frames k ≤ K of k·min(P, int(max(1, B/k))). */
export function bvllmMaximumTokens(T: number, tokensPerFrame: number, params: Pick<BvllmParams, 'budget' | 'windows'>): number {
  const K = Math.min(params.windows, T);
  let maximum = 0;
  for (let kept = 1; kept <= K; kept++) {
    maximum = Math.max(maximum, kept * Math.min(tokensPerFrame, Math.trunc(Math.max(1, params.budget / kept))));
  }
  return maximum;
}

export const bvllmStage: StageDescriptor<BvllmParams> = {
  name: 'b-vllm',
  version: 1,
  description: 'B-VLLM (approximation): question-scored frame per window, temporal merge, per-frame budget with ToMe/top-N.',
  inputs: { in: 'features' },
  output: 'tokens',
  approximation: approximationNote,
  countIsUpperBound: true,
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      budget: { type: 'integer', minimum: 1 },
      windows: { type: 'integer', minimum: 1, maximum: 1024 },
      topK: { type: 'integer', minimum: 1 },
      threshold: { type: 'number', minimum: 0, maximum: 1 },
      reduction: { enum: ['tome', 'question-top-n'] },
    },
  },
  defaults: { budget: bvllmDefaults.budget, windows: bvllmDefaults.windows, topK: bvllmDefaults.topK, threshold: bvllmDefaults.threshold },
  negotiate(inputs, params) {
    const features = expectCaps('b-vllm', inputs, 'in', 'features');
    return { kind: 'tokens', count: bvllmMaximumTokens(features.T, features.h * features.w, params), D: features.D };
  },
  async run(inputs, params, context) {
    const { grid } = expectPayload('b-vllm', inputs, 'in', 'features');
    let question: Float32Array | undefined;
    if (context.question !== undefined && context.question.trim() !== '' && context.encoder.embedText !== undefined) {
      question = await context.encoder.embedText(context.question);
    }
    throwIfAborted(context.signal, 'b-vllm');
    const result = bvllmApproximate(grid, {
      budget: params.budget,
      windows: params.windows,
      topK: params.topK,
      threshold: params.threshold,
      ...(question !== undefined ? { question } : {}),
      ...(params.reduction !== undefined && (question !== undefined || params.reduction === 'tome') ? { reduction: params.reduction } : {}),
    });
    context.note('approximation', result.approximation);
    context.note('questionConditioned', result.questionConditioned);
    context.note('keptFrames', result.frames.length);
    context.note('tokensPerFrame', result.tokensPerFrame);
    context.note('reduction', result.reduction);
    const perFrame = result.tokensPerFrame * result.dim;
    const segments: VisualSegment[] = result.frames.map((_, n) => ({
      type: 'visual',
      role: 'sampled',
      tokens: result.tokens.subarray(n * perFrame, (n + 1) * perFrame),
      count: result.tokensPerFrame,
      dim: result.dim,
      timestamps: [result.timestamps[n]!],
      frameIndices: [result.frameIndices[n]!],
      ...(result.reduction === 'none' ? { layout: { t: 1, h: grid.h, w: grid.w } } : {}),
    }));
    return { kind: 'tokens', segments };
  },
};

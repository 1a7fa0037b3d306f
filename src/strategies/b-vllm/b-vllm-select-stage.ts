/**
 * @file The `b-vllm-select` stage: B-VLLM's frame selection alone, features in and features out, so "select then
 * pool" is one pipeline (`pipelines/b-vllm-pllava.yaml`: B-VLLM picks the frames, PLLaVA pools them). The same
 * approximation as the `b-vllm` stage (K = min(16, T) temporal queries, temperature-0.5 softmax selection weights
 * over scene-separating descriptors plus the question's frame scores when the encoder can embed text, B-VLLM's exact
 * temporal merge on the weights, each kept query's highest-weight frame), without the per-frame budget and
 * reduction: the kept frames keep all their tokens. Output: at most K frames (an upper bound, data dependent).
 */
import { defineStage } from '../../graph/define-stage.js';
import type { StageDescriptor } from '../../graph/stage.js';
import { selectGridFrames } from '../select-grid-frames.js';
import { approximationNote, conditioningNote, frameQuestionScores } from './b-vllm-approximation.js';
import { bvllmSelectFrames, bvllmSelectionDefaults } from './b-vllm-selection.js';
import { bvllmSelectionProperties, selectionInputs, type BvllmDescriptorChoice } from './b-vllm-stage.js';

export interface BvllmSelectParams {
  readonly windows: number;
  readonly threshold: number;
  readonly topK: number;
  readonly logitScale: number;
  readonly questionWeight: number;
  readonly descriptor: BvllmDescriptorChoice;
}

export const bvllmSelectStage: StageDescriptor<BvllmSelectParams> = defineStage({
  name: 'b-vllm-select',
  version: 1,
  description: "B-VLLM frame selection (approximation) alone: features in, the kept frames' features out (at most K).",
  input: 'features',
  output: 'features',
  approximation: approximationNote,
  countIsUpperBound: true,
  properties: bvllmSelectionProperties,
  defaults: {
    windows: bvllmSelectionDefaults.windows,
    threshold: bvllmSelectionDefaults.threshold,
    topK: 8,
    logitScale: bvllmSelectionDefaults.logitScale,
    questionWeight: bvllmSelectionDefaults.questionWeight,
    descriptor: 'auto',
  },
  negotiate(features, params) {
    return { kind: 'features', T: Math.min(params.windows, features.T), h: features.h, w: features.w, D: features.D };
  },
  async run({ grid }, params, context) {
    const { question, unconditionedReason, descriptors } = await selectionInputs(
      'b-vllm-select',
      grid,
      params,
      context,
    );
    const selection = bvllmSelectFrames(descriptors, {
      windows: params.windows,
      threshold: params.threshold,
      logitScale: params.logitScale,
      questionWeight: params.questionWeight,
      ...(question !== undefined
        ? { questionScores: frameQuestionScores(grid, question, Math.min(params.topK, grid.h * grid.w)) }
        : {}),
    });
    const conditioning = conditioningNote(question !== undefined, descriptors.kind, unconditionedReason);
    context.note('approximation', `${approximationNote} ${conditioning}`);
    context.note('conditioning', conditioning);
    context.note('questionConditioned', question !== undefined);
    context.note('queries', selection.queries);
    context.note('keptFrames', selection.frames.length);
    return { kind: 'features', grid: selectGridFrames(grid, selection.frames) };
  },
});

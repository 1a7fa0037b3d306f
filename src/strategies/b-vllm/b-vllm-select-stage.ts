/**
 * @file The `b-vllm-select` stage: B-VLLM's frame selection alone, features in and features out, so "select then
 * pool" is one pipeline (`pipelines/b-vllm-pllava.yaml`: B-VLLM picks the frames, PLLaVA pools them). The same
 * approximation as the `b-vllm` stage (K = min(16, T) temporal queries, temperature-0.5 softmax selection weights
 * over scene-separating descriptors plus the question's frame scores when the encoder can embed text, B-VLLM's exact
 * temporal merge on the weights, each kept query's highest-weight frame), without the per-frame budget and
 * reduction: the kept frames keep all their tokens. Output: at most K frames (an upper bound, data dependent).
 */
import { featureGrid } from '../../core/feature-grid.js';
import type { StageDescriptor } from '../../graph/stage.js';
import { expectCaps, expectPayload, throwIfAborted } from '../../graph/stages/stage-helpers.js';
import { approximationNote, conditioningNote, frameQuestionScores } from './b-vllm-approximation.js';
import { bvllmSelectFrames, bvllmSelectionDefaults } from './b-vllm-selection.js';
import { descriptorsFor, questionEmbedding, type BvllmDescriptorChoice } from './b-vllm-stage.js';

export interface BvllmSelectParams {
  readonly windows: number;
  readonly threshold: number;
  readonly topK: number;
  readonly logitScale: number;
  readonly questionWeight: number;
  readonly descriptor: BvllmDescriptorChoice;
}

export const bvllmSelectStage: StageDescriptor<BvllmSelectParams> = {
  name: 'b-vllm-select',
  version: 1,
  description: "B-VLLM frame selection (approximation) alone: features in, the kept frames' features out (at most K).",
  inputs: { in: 'features' },
  output: 'features',
  approximation: approximationNote,
  countIsUpperBound: true,
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      windows: { type: 'integer', minimum: 1, maximum: 1024 },
      threshold: { type: 'number', minimum: 0, maximum: 1 },
      topK: { type: 'integer', minimum: 1 },
      logitScale: { type: 'number', exclusiveMinimum: 0, maximum: 1000 },
      questionWeight: { type: 'number', minimum: 0, maximum: 100 },
      descriptor: { enum: ['auto', 'mean-token', 'colour-histogram'] },
    },
  },
  defaults: {
    windows: bvllmSelectionDefaults.windows,
    threshold: bvllmSelectionDefaults.threshold,
    topK: 8,
    logitScale: bvllmSelectionDefaults.logitScale,
    questionWeight: bvllmSelectionDefaults.questionWeight,
    descriptor: 'auto',
  },
  negotiate(inputs, params) {
    const features = expectCaps('b-vllm-select', inputs, 'in', 'features');
    return { kind: 'features', T: Math.min(params.windows, features.T), h: features.h, w: features.w, D: features.D };
  },
  async run(inputs, params, context) {
    const { grid } = expectPayload('b-vllm-select', inputs, 'in', 'features');
    const { question, unconditionedReason } = await questionEmbedding(context);
    throwIfAborted(context.signal, 'b-vllm-select');
    const descriptors = descriptorsFor(grid, params.descriptor, context.encoder);
    const selection = bvllmSelectFrames(descriptors, {
      windows: params.windows,
      threshold: params.threshold,
      logitScale: params.logitScale,
      questionWeight: params.questionWeight,
      ...(question !== undefined
        ? { questionScores: frameQuestionScores(grid, question, Math.min(params.topK, grid.h * grid.w)) }
        : {}),
    });
    const frameSize = grid.h * grid.w * grid.D;
    const data = new Float32Array(selection.frames.length * frameSize);
    selection.frames.forEach((t, n) => data.set(grid.data.subarray(t * frameSize, (t + 1) * frameSize), n * frameSize));
    const conditioning = conditioningNote(question !== undefined, descriptors.kind, unconditionedReason);
    context.note('approximation', `${approximationNote} ${conditioning}`);
    context.note('conditioning', conditioning);
    context.note('questionConditioned', question !== undefined);
    context.note('queries', selection.queries);
    context.note('keptFrames', selection.frames.length);
    return {
      kind: 'features',
      grid: featureGrid(
        selection.frames.length,
        grid.h,
        grid.w,
        grid.D,
        data,
        selection.frames.map((t) => grid.timestamps[t]!),
        selection.frames.map((t) => grid.frameIndices[t]!),
      ),
    };
  },
};

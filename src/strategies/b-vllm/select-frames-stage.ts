/**
 * @file The `select-frames` stage: cheap frame selection BEFORE the encoder. Frames in, frames out (only the kept
 * ones), so the frames it drops are never encoded — on CPU the vision tower dominates (about 1.1-1.6 s per 512 px
 * frame for SmolVLM2's SigLIP on 2 cores). It runs the same B-VLLM-style selection as the `b-vllm` stage
 * (src/strategies/b-vllm-selection.ts: K = min(windows, T) queries, temperature-0.5 softmax weights over all frames,
 * B-VLLM's exact temporal merge on the weights, each kept query's highest-weight frame) on colour-histogram
 * descriptors of the decoded pixels. It cannot be question-conditioned: no tokens exist yet to compare with a text
 * embedding. The output holds at most `min(windows, T)` frames, in temporal order.
 */
import { bvllmSelectFrames, bvllmSelectionDefaults } from './b-vllm-selection.js';
import { bvllmSelectionProperties } from './b-vllm-stage.js';
import { colourHistogramDescriptors, defaultHistogramBins } from '../frame-descriptors.js';
import { defineStage } from '../../graph/define-stage.js';
import type { StageDescriptor } from '../../graph/stage.js';
import { throwIfAborted } from '../../graph/stages/stage-helpers.js';

export interface SelectFramesParams {
  /** Maximum number of temporal queries K, hence of frames kept. */
  readonly windows: number;
  /** B-VLLM's merge threshold on `(cos(W_i, W_j) + 1) / 2`. */
  readonly threshold: number;
  /** Multiplies the histogram cosines before the temperature-0.5 softmax. */
  readonly logitScale: number;
  /** Histogram bins per colour channel. */
  readonly bins: number;
}

export const selectFramesStage: StageDescriptor<SelectFramesParams> = defineStage({
  name: 'select-frames',
  version: 1,
  description:
    'Keeps the frames that B-VLLM-style selection on colour histograms picks, before encoding (dropped frames are never encoded).',
  input: 'frames',
  output: 'frames',
  countIsUpperBound: true,
  properties: {
    windows: bvllmSelectionProperties.windows,
    threshold: bvllmSelectionProperties.threshold,
    logitScale: bvllmSelectionProperties.logitScale,
    bins: { type: 'integer', minimum: 1, maximum: 16 },
  },
  defaults: {
    windows: bvllmSelectionDefaults.windows,
    threshold: bvllmSelectionDefaults.threshold,
    logitScale: bvllmSelectionDefaults.logitScale,
    bins: defaultHistogramBins,
  },
  negotiate(frames, params) {
    return {
      kind: 'frames',
      count: Math.min(params.windows, frames.count),
      width: frames.width,
      height: frames.height,
    };
  },
  async run({ frames }, params, context) {
    throwIfAborted(context.signal, 'select-frames');
    if (frames.length === 0) return { kind: 'frames', frames: [] };
    const selection = bvllmSelectFrames(colourHistogramDescriptors(frames, params.bins), {
      windows: params.windows,
      threshold: params.threshold,
      logitScale: params.logitScale,
    });
    context.note('inputFrames', frames.length);
    context.note('queries', selection.queries);
    context.note('keptFrames', selection.frames.length);
    context.note(
      'keptFrameIndices',
      selection.frames.map((t) => frames[t]!.index),
    );
    context.note(
      'conditioning',
      'Not question-conditioned (selection runs before the encoder): frames chosen by scene-separating colour-histogram descriptors only.',
    );
    return { kind: 'frames', frames: selection.frames.map((t) => frames[t]!) };
  },
});

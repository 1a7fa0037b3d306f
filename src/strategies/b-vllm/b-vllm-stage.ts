/**
 * @file The `b-vllm` stage: the deterministic training-free approximation of B-VLLM (Lu et al. 2024, "B-VLLM: A
 * Vision Large Language Model with Balanced Spatio-Temporal Tokens", github.com/zhuqiangLu/B-VLLM) from
 * src/strategies/b-vllm.ts: K = min(16, T) temporal queries with temperature-softmax selection weights over all frames
 * (descriptor cosines, plus question-to-frame scores when the encoder can embed text), B-VLLM's exact temporal merge
 * on those weights, each kept query's highest-weight frame, the budget rule, then ToMe or question top-N per frame.
 * One segment (role `sampled`) per kept frame. Descriptors: colour histograms of the decoded patches for the pixels
 * encoder (its tokens are pixels), the unit mean token otherwise. The question embedding comes from the encoder's
 * `embedText` (model encoders); without it the metadata says the selection used descriptors only, and why.
 */
import type { VisualEncoder } from '../../core/encoder.js';
import type { FeatureGrid } from '../../core/feature-grid.js';
import type { RgbImage } from '../../core/frame.js';
import type { VisualSegment } from '../../core/token-stream.js';
import { decodePatchTokens, type PixelsEncoder } from '../../encoders/pixels.js';
import {
  bvllmApproximate,
  bvllmDefaults,
  approximationNote,
  bvllmSelectionDefaults,
  type BvllmMixing,
  type BvllmReduction,
} from './b-vllm-approximation.js';
import { colourHistogramDescriptors, unitMeanTokenDescriptors, type UnitDescriptors } from '../frame-descriptors.js';
import { defineStage, type JsonSchema } from '../../graph/define-stage.js';
import type { StageContext, StageDescriptor } from '../../graph/stage.js';
import { throwIfAborted } from '../../graph/stages/stage-helpers.js';

export type BvllmDescriptorChoice = 'auto' | 'mean-token' | 'colour-histogram';

export interface BvllmParams {
  /** Total visual-token budget B (B-VLLM: 576 = 18 x 32). */
  readonly budget: number;
  /** Maximum number of temporal queries K. */
  readonly windows: number;
  readonly topK: number;
  readonly threshold: number;
  /** Multiplies the cosines before the temperature-0.5 softmax. */
  readonly logitScale: number;
  /** Weight of the standardised question-to-frame scores. */
  readonly questionWeight: number;
  /** Frame descriptors for the selection weights; `auto`: colour histograms on the pixels encoder, mean tokens otherwise. */
  readonly descriptor: BvllmDescriptorChoice;
  /** `hard`: each kept query's highest-weight frame; `soft`: B-VLLM's weighted mixture of all frames. */
  readonly mixing: BvllmMixing;
  /** Per-frame reduction; default question top-N with a question embedding, ToMe without. */
  readonly reduction?: BvllmReduction;
}

/** Largest token count the approximation can produce: max over kept frames k ≤ K of k·min(P, int(max(1, B/k))). */
export function bvllmMaximumTokens(
  T: number,
  tokensPerFrame: number,
  params: Pick<BvllmParams, 'budget' | 'windows'>,
): number {
  const K = Math.min(params.windows, T);
  let maximum = 0;
  for (let kept = 1; kept <= K; kept++) {
    maximum = Math.max(maximum, kept * Math.min(tokensPerFrame, Math.trunc(Math.max(1, params.budget / kept))));
  }
  return maximum;
}

/**
 * The pixels encoder's patch geometry when `encoder` is one, or wraps one as `inner` (inspect's recording encoder):
 * its tokens can then be decoded back into pixels.
 */
function pixelGeometry(encoder: VisualEncoder): Pick<PixelsEncoder, 'patch' | 'mean' | 'std'> | undefined {
  const wrapped = (encoder as { inner?: unknown }).inner;
  if (wrapped !== undefined && typeof wrapped === 'object' && wrapped !== null && 'encodeFrames' in wrapped)
    return pixelGeometry(wrapped as VisualEncoder);
  const candidate = encoder as Partial<PixelsEncoder>;
  if (
    !encoder.name.startsWith('pixels') ||
    typeof candidate.patch !== 'number' ||
    candidate.mean === undefined ||
    candidate.std === undefined
  )
    return undefined;
  if (encoder.dim !== 3 * candidate.patch * candidate.patch) return undefined;
  return { patch: candidate.patch, mean: candidate.mean, std: candidate.std };
}

/** Colour histograms of the frames a pixels-encoder grid was made from (the tokens decoded back into images). */
function decodedHistograms(
  grid: FeatureGrid,
  geometry: Pick<PixelsEncoder, 'patch' | 'mean' | 'std'>,
): UnitDescriptors {
  const frameSize = grid.h * grid.w * grid.D;
  const images: RgbImage[] = Array.from({ length: grid.T }, (_, t) =>
    decodePatchTokens(grid.data.subarray(t * frameSize, (t + 1) * frameSize), {
      ...geometry,
      rows: grid.h,
      columns: grid.w,
    }),
  );
  return colourHistogramDescriptors(images);
}

/** The descriptors B-VLLM's selection weights are computed on, for `choice` and this run's encoder. */
export function descriptorsFor(
  grid: FeatureGrid,
  choice: BvllmDescriptorChoice,
  encoder: VisualEncoder,
): UnitDescriptors {
  if (choice === 'mean-token') return unitMeanTokenDescriptors(grid);
  const geometry = pixelGeometry(encoder);
  if (geometry !== undefined) return decodedHistograms(grid, geometry);
  return unitMeanTokenDescriptors(grid); // a model's tokens cannot be decoded into colours
}

/** The question's embedding when the run has a question and the encoder can embed text; else why not. */
export async function questionEmbedding(
  context: Pick<StageContext, 'question' | 'encoder'>,
): Promise<{ question?: Float32Array; unconditionedReason?: string }> {
  if (context.question === undefined || context.question.trim() === '')
    return { unconditionedReason: 'no question was given' };
  if (context.encoder.embedText === undefined)
    return { unconditionedReason: `no text embedding (${context.encoder.name} encoder)` };
  return { question: await context.encoder.embedText(context.question) };
}

/** The selection parameters' schema, shared by `b-vllm` and `b-vllm-select`. */
export const bvllmSelectionProperties = {
  windows: { type: 'integer', minimum: 1, maximum: 1024 },
  topK: { type: 'integer', minimum: 1 },
  threshold: { type: 'number', minimum: 0, maximum: 1 },
  logitScale: { type: 'number', exclusiveMinimum: 0, maximum: 1000 },
  questionWeight: { type: 'number', minimum: 0, maximum: 100 },
  descriptor: { enum: ['auto', 'mean-token', 'colour-histogram'] },
} as const satisfies Readonly<Record<string, JsonSchema>>;

/** The question's embedding, checked against the abort signal, and the descriptors for the selection weights. */
export async function selectionInputs(
  stage: string,
  grid: FeatureGrid,
  params: { readonly descriptor: BvllmDescriptorChoice },
  context: StageContext,
): Promise<{ question?: Float32Array; unconditionedReason?: string; descriptors: UnitDescriptors }> {
  const embedding = await questionEmbedding(context);
  throwIfAborted(context.signal, stage);
  return { ...embedding, descriptors: descriptorsFor(grid, params.descriptor, context.encoder) };
}

export const bvllmStage: StageDescriptor<BvllmParams> = defineStage({
  name: 'b-vllm',
  version: 2,
  description:
    'B-VLLM (approximation): softmax selection weights of K temporal queries, exact temporal merge, per-frame budget with ToMe/top-N.',
  input: 'features',
  output: 'tokens',
  approximation: approximationNote,
  countIsUpperBound: true,
  properties: {
    budget: { type: 'integer', minimum: 1 },
    ...bvllmSelectionProperties,
    mixing: { enum: ['hard', 'soft'] },
    reduction: { enum: ['tome', 'question-top-n'] },
  },
  defaults: {
    budget: bvllmDefaults.budget,
    windows: bvllmDefaults.windows,
    topK: bvllmDefaults.topK,
    threshold: bvllmDefaults.threshold,
    logitScale: bvllmSelectionDefaults.logitScale,
    questionWeight: bvllmSelectionDefaults.questionWeight,
    descriptor: 'auto',
    mixing: 'hard',
  },
  negotiate(features, params) {
    return { kind: 'tokens', count: bvllmMaximumTokens(features.T, features.h * features.w, params), D: features.D };
  },
  async run({ grid }, params, context) {
    const { question, unconditionedReason, descriptors } = await selectionInputs('b-vllm', grid, params, context);
    const result = bvllmApproximate(grid, {
      budget: params.budget,
      windows: params.windows,
      topK: params.topK,
      threshold: params.threshold,
      logitScale: params.logitScale,
      questionWeight: params.questionWeight,
      mixing: params.mixing,
      descriptors,
      ...(question !== undefined ? { question } : {}),
      ...(unconditionedReason !== undefined ? { unconditionedReason } : {}),
      ...(params.reduction !== undefined && (question !== undefined || params.reduction === 'tome')
        ? { reduction: params.reduction }
        : {}),
    });
    context.note('approximation', result.approximation);
    context.note('conditioning', result.conditioning);
    context.note('questionConditioned', result.questionConditioned);
    context.note('descriptor', result.descriptor);
    context.note('queries', result.queries);
    context.note('keptFrames', result.frames.length);
    context.note('tokensPerFrame', result.tokensPerFrame);
    context.note('mixing', result.mixing);
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
});

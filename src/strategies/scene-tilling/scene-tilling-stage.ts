/**
 * @file The `scene-tilling` stage: VideoLLaMB's SceneTilling (Wang et al. 2024, "VideoLLaMB: Long-context Video
 * Understanding with Recurrent Memory Bridges", github.com/bigai-nlco/VideoLLaMB, self_segment.py) on the frames'
 * mean-token descriptors, `k` cuts (default 3 → 4 scenes). VideoLLaMB feeds the model only the last scene's tokens,
 * with earlier scenes reaching it through a learned memory bridge; the training-free substitute here prepends, for
 * every earlier scene, a bounded memory (`sceneMemory`, ≤ 32 tokens, role `memory`), then the last scene's frames
 * (at most 8, `linspace(a, b, n)` truncated as `torch.linspace(..., dtype=int)`) pooled to 12x12 (role `scene`, one
 * segment per frame). Token count ≤ k·32 + min(8, T-k)·12·12. Wraps `sceneTilling` and `sceneMemory`.
 */
import { meanTokenDescriptors } from '../../core/feature-grid.js';
import { GraphNegotiationError } from '../../errors/index.js';
import { sceneMemory, sceneTilling, sceneTillingDefaults } from './scene-tilling.js';
import { selectGridFrames } from '../select-grid-frames.js';
import { spatialPool } from '../spatial-pool.js';
import { defineStage, integerTupleSchema } from '../../graph/define-stage.js';
import type { StageDescriptor } from '../../graph/stage.js';
import { torchLinspaceInt } from '../../numeric/rounding.js';
import { perFrameSegments, visualSegment, type VisualSegment } from '../../core/token-stream.js';

export interface SceneTillingParams {
  /** Number of cuts (scenes = k + 1). */
  readonly k: number;
  /** Memory tokens per earlier scene. */
  readonly memoryTokens: number;
  /** Frames of the last scene that are kept. */
  readonly sceneFrames: number;
  /** Pooled grid of the last scene's frames (capped at the encoder's grid). */
  readonly sceneGrid: readonly [number, number];
}

export const sceneTillingStageDefaults: SceneTillingParams = {
  k: sceneTillingDefaults.k,
  memoryTokens: sceneTillingDefaults.memoryTokens,
  sceneFrames: 8,
  sceneGrid: [12, 12],
};

/** The pooled grid of the last scene's frames on an `h x w` token grid. */
export function sceneTillingSceneGrid(
  params: Pick<SceneTillingParams, 'sceneGrid'>,
  grid: { h: number; w: number },
): [number, number] {
  return [Math.min(grid.h, params.sceneGrid[0]), Math.min(grid.w, params.sceneGrid[1])];
}

/** SceneTilling's token bound on `T` frames of `h x w` tokens: `k·memoryTokens + min(sceneFrames, T-k)·h'·w'`. */
export function sceneTillingTokenCount(params: SceneTillingParams, grid: { T: number; h: number; w: number }): number {
  const [h, w] = sceneTillingSceneGrid(params, grid);
  return params.k * params.memoryTokens + Math.min(params.sceneFrames, grid.T - params.k) * h * w;
}

// Its integer-parameter schema has the shape of `slowfast-shi`'s; the parameters and logic differ.
export const sceneTillingStage: StageDescriptor<SceneTillingParams> = defineStage({
  name: 'scene-tilling',
  version: 1,
  description: 'VideoLLaMB SceneTilling: k cuts; bounded memory tokens of earlier scenes, then the last scene pooled.',
  input: 'features',
  output: 'tokens',
  countIsUpperBound: true,
  approximation:
    "scene-tilling: VideoLLaMB's learned recurrent memory bridge is replaced by pooled memory tokens (<= memoryTokens per earlier scene) placed before the last scene's tokens; SceneTilling itself is exact but runs on mean-token descriptors instead of the vision tower's CLS token.",
  properties: {
    k: { type: 'integer', minimum: 1, maximum: 64 },
    memoryTokens: { type: 'integer', minimum: 1, maximum: 4096 },
    sceneFrames: { type: 'integer', minimum: 1, maximum: 256 },
    sceneGrid: integerTupleSchema(2, 256),
  },
  defaults: sceneTillingStageDefaults,
  negotiate(features, params) {
    if (features.T < params.k + 1) {
      throw new GraphNegotiationError(
        'scene-tilling',
        `k=${params.k} cuts need at least ${params.k + 1} frames but receives ${features.T}`,
      );
    }
    return { kind: 'tokens', count: sceneTillingTokenCount(params, features), D: features.D };
  },
  async run({ grid }, params, context) {
    const tilling = sceneTilling(meanTokenDescriptors(grid), { k: params.k });
    context.note(
      'scenes',
      tilling.scenes.map((scene) => ({
        start: scene.startTime,
        end: scene.endTime,
        frames: [scene.startFrameIndex, scene.endFrameIndex],
      })),
    );
    const segments: VisualSegment[] = [];
    const scenes = tilling.scenes;
    for (const scene of scenes.slice(0, -1)) {
      const positions = Array.from({ length: scene.end - scene.start + 1 }, (_, i) => scene.start + i);
      const memory = sceneMemory(selectGridFrames(grid, positions), { maxTokens: params.memoryTokens });
      segments.push(visualSegment('memory', memory));
    }
    const last = scenes[scenes.length - 1]!;
    const length = last.end - last.start + 1;
    const positions = torchLinspaceInt(last.start, last.end, Math.min(params.sceneFrames, length));
    const pooled = spatialPool(selectGridFrames(grid, positions), sceneTillingSceneGrid(params, grid), 'area');
    segments.push(...perFrameSegments(pooled, 'scene'));
    return { kind: 'tokens', segments };
  },
});

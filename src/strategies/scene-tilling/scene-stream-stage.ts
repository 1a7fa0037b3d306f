/**
 * @file The `scene-stream` stage: scenes while the video decodes, for long videos and live sources. Frames are
 * encoded in batches as they arrive and go, with their pixels, to the shared SceneTracker (src/scenes: the streaming
 * scene detector on HSV histograms and/or the model's mean tokens, the same implementation narration uses). As
 * soon as a scene is certainly over, its tokens are compressed to a bounded memory (`sceneMemory`, ≤ `memoryTokens`)
 * and dropped, so memory holds only the current scene (at most `maxBufferedFrames` frames: beyond that every other
 * frame is dropped) plus the memories. Output: the memories of the last `maxMemoryScenes` closed scenes (role
 * `memory`, oldest first), then the final scene's frames (≤ `sceneFrames`, pooled to `sceneGrid`, role `scene`).
 * Same training-free memory substitute as `scene-tilling`.
 */
import type { VideoFrame } from '../../core/frame.js';
import { InputRejectedError } from '../../errors/index.js';
import type { SceneDescriptorKind } from '../../scenes/scene-descriptor.js';
import { SceneTracker, splitFrameGrids, type ClosedScene, type SceneTrackerEvent } from '../../scenes/scene-tracker.js';
import { sceneDetectorDefaults, type SceneCutRule } from '../../scenes/streaming-scene-detector.js';
import { spatialPool } from '../spatial-pool.js';
import { defineStage, integerTupleSchema } from '../../graph/define-stage.js';
import type { PayloadOf } from '../../graph/payload.js';
import type { StageContext, StageDescriptor } from '../../graph/stage.js';
import { throwIfAborted } from '../../graph/stages/stage-helpers.js';
import { perFrameSegments, visualSegment, type VisualSegment } from '../../core/token-stream.js';
import { sceneTillingSceneGrid } from './scene-tilling-stage.js';

export interface SceneStreamParams {
  /** Cut rule of the streaming detector: `threshold` (distance) or `depth` (SceneTilling's depth score). */
  readonly rule: SceneCutRule;
  /** Threshold rule: smallest descriptor distance of a cut, and multiple of the open scene's recent mean distance. */
  readonly threshold: number;
  readonly ratio: number;
  /** Depth rule: threshold factor (VideoLLaMB's streaming demo: 0.5) and smallest depth of a cut. */
  readonly alpha: number;
  readonly minDepth: number;
  /** `auto`: HSV histograms with the pixels encoder, HSV + the model's mean token with a model. */
  readonly descriptor: SceneDescriptorKind | 'auto';
  /** Scene-length bounds in seconds (a cut leaving a shorter scene is ignored; a longer scene is closed). */
  readonly minSceneSeconds: number;
  readonly maxSceneSeconds: number;
  readonly memoryTokens: number;
  /** Memories kept (the most recent scenes); older ones are dropped. */
  readonly maxMemoryScenes: number;
  readonly sceneFrames: number;
  readonly sceneGrid: readonly [number, number];
  /** Frames per encoder call. */
  readonly batchSize: number;
  /** Frames of the current scene held at most. */
  readonly maxBufferedFrames: number;
}

function descriptorFor(params: SceneStreamParams, encoderName: string): SceneDescriptorKind {
  if (params.descriptor !== 'auto') return params.descriptor;
  return encoderName.startsWith('pixels') ? 'hsv' : 'hsv+model';
}

async function streamScenes(
  batches: AsyncIterable<readonly VideoFrame[]> | Iterable<readonly VideoFrame[]>,
  params: SceneStreamParams,
  context: StageContext,
): Promise<PayloadOf<'tokens'>> {
  const tracker = new SceneTracker({
    detector: {
      rule: params.rule,
      threshold: params.threshold,
      ratio: params.ratio,
      alpha: params.alpha,
      minDepth: params.minDepth,
      minSceneSeconds: params.minSceneSeconds,
      maxSceneSeconds: params.maxSceneSeconds,
      frameInterval: 0,
    },
    descriptor: descriptorFor(params, context.encoder.name),
    maxSceneFrames: params.maxBufferedFrames,
    sceneFrames: params.sceneFrames,
    memoryTokens: params.memoryTokens,
  });
  const memories: VisualSegment[] = [];
  let finalScene: ClosedScene | undefined;
  let scenes = 0;
  let frames = 0;
  const boundaries: { start: number; end: number; closedBy: string }[] = [];
  const handle = (events: readonly SceneTrackerEvent[], final: boolean): void => {
    for (const event of events) {
      if (event.kind !== 'closed') continue;
      scenes += 1;
      if (boundaries.length < 1000)
        boundaries.push({ start: event.scene.start, end: event.scene.end, closedBy: event.scene.closedBy });
      if (final && event.scene.closedBy === 'end-of-stream') {
        finalScene = event.scene; // the last scene stays in full
        continue;
      }
      memories.push(visualSegment('memory', event.scene.memory!));
      if (memories.length > params.maxMemoryScenes) memories.shift();
    }
  };
  let pending: VideoFrame[] = [];
  const encodePending = async (): Promise<void> => {
    if (pending.length === 0) return;
    throwIfAborted(context.signal, 'scene-stream');
    const grid = await context.encoder.encodeFrames(pending, { signal: context.signal });
    splitFrameGrids(grid).forEach((frame, t) => {
      frames += 1;
      handle(tracker.push(frame, pending[t], grid.timestamps[t]!), false);
    });
    pending = [];
  };
  for await (const batch of batches) {
    for (const frame of batch) {
      pending.push(frame);
      if (pending.length >= params.batchSize) await encodePending();
    }
  }
  await encodePending();
  if (frames === 0) throw new InputRejectedError('frame source', 'delivered no frames to encode');
  handle(tracker.end(), true);
  context.note('scenes', boundaries);
  context.note('sceneCount', scenes);
  context.note('memoriesKept', memories.length);
  const last = finalScene!.frames!;
  const pooled = spatialPool(last, sceneTillingSceneGrid(params, last), 'area');
  return { kind: 'tokens', segments: [...memories, ...perFrameSegments(pooled, 'scene')] };
}

export const sceneStreamStage: StageDescriptor<SceneStreamParams> = defineStage({
  name: 'scene-stream',
  version: 2,
  description:
    'Streaming scenes (HSV histograms and/or model features): encodes as frames arrive, compresses each finished scene to memory tokens.',
  input: 'frames',
  output: 'tokens',
  countIsUpperBound: true,
  approximation:
    "scene-stream: VideoLLaMB's learned memory bridge is replaced by pooled memory tokens of finished scenes; scenes are cut by the streaming scene detector (src/scenes) on HSV histograms and/or mean-token descriptors.",
  properties: {
    rule: { enum: ['threshold', 'depth'] },
    threshold: { type: 'number', minimum: 0, maximum: 2 },
    ratio: { type: 'number', minimum: 0, maximum: 1000 },
    alpha: { type: 'number', minimum: 0, maximum: 10 },
    minDepth: { type: 'number', minimum: 0, maximum: 4 },
    descriptor: { enum: ['auto', 'hsv', 'model', 'hsv+model'] },
    minSceneSeconds: { type: 'number', minimum: 0, maximum: 86400 },
    maxSceneSeconds: { type: 'number', minimum: 0.01, maximum: 86400 },
    memoryTokens: { type: 'integer', minimum: 1, maximum: 4096 },
    maxMemoryScenes: { type: 'integer', minimum: 0, maximum: 1024 },
    sceneFrames: { type: 'integer', minimum: 1, maximum: 256 },
    sceneGrid: integerTupleSchema(2, 256),
    batchSize: { type: 'integer', minimum: 1, maximum: 256 },
    maxBufferedFrames: { type: 'integer', minimum: 2, maximum: 100000 },
  },
  defaults: {
    rule: sceneDetectorDefaults.rule,
    threshold: sceneDetectorDefaults.threshold,
    ratio: sceneDetectorDefaults.ratio,
    alpha: 0.5,
    minDepth: 0.01,
    descriptor: 'auto',
    minSceneSeconds: 0,
    maxSceneSeconds: 86400,
    memoryTokens: 32,
    maxMemoryScenes: 8,
    sceneFrames: 8,
    sceneGrid: [12, 12],
    batchSize: 8,
    maxBufferedFrames: 256,
  },
  negotiate(frames, params, context) {
    const [h, w] = sceneTillingSceneGrid(params, context.encoder.grid);
    const memory = Math.min(params.maxMemoryScenes, Math.max(0, frames.count - 1)) * params.memoryTokens;
    return {
      kind: 'tokens',
      count: memory + Math.min(params.sceneFrames, frames.count) * h * w,
      D: context.encoder.dim,
    };
  },
  async run({ frames }, params, context) {
    return streamScenes([frames], params, context);
  },
  stream(batches, params, context) {
    return streamScenes(batches, params, context);
  },
});

/**
 * @file The `scene-stream` stage: SceneTilling while the video decodes, for long videos and live sources. Frames are
 * encoded in batches as they arrive; each frame's mean token goes to `StreamingSceneTiller`, and as soon as a scene
 * is certainly over its tokens are compressed to a bounded memory (`sceneMemory`, ≤ `memoryTokens`) and dropped, so
 * memory holds only the current scene (at most `maxBufferedFrames` frames: beyond that every other frame is dropped)
 * plus the memories. Output: the memories of the last `maxMemoryScenes` closed scenes (role `memory`, oldest first),
 * then the final scene's frames (≤ `sceneFrames`, pooled to `sceneGrid`, role `scene`). Same training-free memory
 * substitute as `scene-tilling`; the cut rule is the streaming threshold rule (alpha), not offline top-k.
 */
import { featureGrid, meanTokenDescriptors, type FeatureGrid } from '../../core/feature-grid.js';
import type { VideoFrame } from '../../core/frame.js';
import { InputRejectedError } from '../../errors/index.js';
import { sceneMemory, StreamingSceneTiller, type SceneClosedEvent } from '../../strategies/scene-tilling.js';
import { spatialPool } from '../../strategies/spatial-pool.js';
import type { Payload } from '../payload.js';
import type { StageContext, StageDescriptor } from '../stage.js';
import { expectCaps, expectPayload, throwIfAborted } from './stage-helpers.js';
import { perFrameSegments, visualSegment, type VisualSegment } from '../../core/token-stream.js';

export interface SceneStreamParams {
  /** Threshold factor of the streaming cut rule (VideoLLaMB's streaming demo: 0.5). */
  readonly alpha: number;
  /** A cut also needs at least this depth (guards against flat stretches where every depth is 0). */
  readonly minDepth: number;
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

interface BufferedFrame {
  readonly position: number;
  readonly grid: FeatureGrid;
}

function stackFrames(frames: readonly BufferedFrame[]): FeatureGrid {
  const first = frames[0]!.grid;
  const size = first.h * first.w * first.D;
  const data = new Float32Array(frames.length * size);
  frames.forEach((frame, n) => data.set(frame.grid.data, n * size));
  return featureGrid(
    frames.length,
    first.h,
    first.w,
    first.D,
    data,
    frames.map((frame) => frame.grid.timestamps[0]!),
    frames.map((frame) => frame.grid.frameIndices[0]!),
  );
}

function splitFrames(grid: FeatureGrid): FeatureGrid[] {
  const size = grid.h * grid.w * grid.D;
  return Array.from({ length: grid.T }, (_, t) =>
    featureGrid(1, grid.h, grid.w, grid.D, grid.data.slice(t * size, (t + 1) * size), [grid.timestamps[t]!], [grid.frameIndices[t]!]),
  );
}

async function streamScenes(batches: AsyncIterable<readonly VideoFrame[]> | Iterable<readonly VideoFrame[]>, params: SceneStreamParams, context: StageContext): Promise<Payload> {
  const tiller = new StreamingSceneTiller({ alpha: params.alpha, minDepth: params.minDepth });
  let buffer: BufferedFrame[] = [];
  const memories: VisualSegment[] = [];
  let position = 0;
  let scenes = 0;
  const close = (events: readonly SceneClosedEvent[], final: boolean): void => {
    for (const event of events) {
      const frames = buffer.filter((frame) => frame.position >= event.start && frame.position <= event.end);
      buffer = buffer.filter((frame) => frame.position > event.end);
      scenes += 1;
      if (frames.length === 0) continue;
      if (final && buffer.length === 0) {
        buffer = frames; // the last scene stays in full
        continue;
      }
      const memory = sceneMemory(stackFrames(frames), { maxTokens: params.memoryTokens });
      memories.push(visualSegment('memory', memory));
      if (memories.length > params.maxMemoryScenes) memories.shift();
    }
  };
  let pending: VideoFrame[] = [];
  const encodePending = async (): Promise<void> => {
    if (pending.length === 0) return;
    throwIfAborted(context.signal, 'scene-stream');
    const grid = await context.encoder.encodeFrames(pending, { signal: context.signal });
    pending = [];
    const descriptors = meanTokenDescriptors(grid);
    splitFrames(grid).forEach((frame, t) => {
      buffer.push({ position, grid: frame });
      const events = tiller.push(descriptors.data.slice(t * grid.D, (t + 1) * grid.D), grid.timestamps[t]!, position);
      position += 1;
      close(events, false);
    });
    if (buffer.length > params.maxBufferedFrames) buffer = buffer.filter((_, n) => n % 2 === 1 || n === buffer.length - 1);
  };
  for await (const batch of batches) {
    for (const frame of batch) {
      pending.push(frame);
      if (pending.length >= params.batchSize) await encodePending();
    }
  }
  await encodePending();
  if (position === 0) throw new InputRejectedError('frame source', 'delivered no frames to encode');
  close(tiller.end(), true);
  context.note('scenes', scenes);
  context.note('memoriesKept', memories.length);
  const picks = buffer.length <= params.sceneFrames ? buffer : Array.from({ length: params.sceneFrames }, (_, i) => buffer[Math.trunc((i * (buffer.length - 1)) / (params.sceneFrames - 1 || 1))]!);
  const last = stackFrames(picks);
  const pooled = spatialPool(last, [Math.min(last.h, params.sceneGrid[0]), Math.min(last.w, params.sceneGrid[1])], 'area');
  return { kind: 'tokens', segments: [...memories, ...perFrameSegments(pooled, 'scene')] };
}

export const sceneStreamStage: StageDescriptor<SceneStreamParams> = {
  name: 'scene-stream',
  version: 1,
  description: 'Streaming SceneTilling: encodes as frames arrive, compresses each finished scene to memory tokens.',
  inputs: { in: 'frames' },
  output: 'tokens',
  countIsUpperBound: true,
  approximation:
    'scene-stream: VideoLLaMB\'s learned memory bridge is replaced by pooled memory tokens of finished scenes; scenes are cut by the streaming threshold rule on mean-token descriptors.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      alpha: { type: 'number', minimum: 0, maximum: 10 },
      minDepth: { type: 'number', minimum: 0, maximum: 4 },
      memoryTokens: { type: 'integer', minimum: 1, maximum: 4096 },
      maxMemoryScenes: { type: 'integer', minimum: 0, maximum: 1024 },
      sceneFrames: { type: 'integer', minimum: 1, maximum: 256 },
      sceneGrid: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 256 }, minItems: 2, maxItems: 2 },
      batchSize: { type: 'integer', minimum: 1, maximum: 256 },
      maxBufferedFrames: { type: 'integer', minimum: 2, maximum: 100000 },
    },
  },
  defaults: { alpha: 0.5, minDepth: 0.01, memoryTokens: 32, maxMemoryScenes: 8, sceneFrames: 8, sceneGrid: [12, 12], batchSize: 8, maxBufferedFrames: 256 },
  negotiate(inputs, params, context) {
    const frames = expectCaps('scene-stream', inputs, 'in', 'frames');
    const h = Math.min(context.encoder.grid.h, params.sceneGrid[0]);
    const w = Math.min(context.encoder.grid.w, params.sceneGrid[1]);
    const memory = Math.min(params.maxMemoryScenes, Math.max(0, frames.count - 1)) * params.memoryTokens;
    return { kind: 'tokens', count: memory + Math.min(params.sceneFrames, frames.count) * h * w, D: context.encoder.dim };
  },
  async run(inputs, params, context) {
    const { frames } = expectPayload('scene-stream', inputs, 'in', 'frames');
    return streamScenes([frames], params, context);
  },
  stream(batches, params, context) {
    return streamScenes(batches, params, context);
  },
};

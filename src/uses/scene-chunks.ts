/**
 * @file Scene chunks for `vidtok caption --scenes`: frames at 2 fps (at most 240; longer videos are sampled
 * uniformly) squashed to 64x48, each described by its HSV histogram, fed to the same streaming scene detector that
 * narration and the `scene-stream` stage use (src/scenes; threshold rule by default, SceneTilling's depth rule on
 * request). Scene `i` is captioned over `[start of scene i, start of scene i+1)`; the first starts at 0 and the
 * last ends at the duration. At most `cap` boundaries are kept (the highest-scoring ones).
 */
import { InputRejectedError } from '../errors/index.js';
import { extractFrames } from '../ingest/index.js';
import type { ChunkSpan } from '../jobs/chunk-plan.js';
import { hsvHistogram } from '../scenes/hsv-histogram.js';
import {
  sceneDetectorDefaults,
  StreamingSceneDetector,
  type SceneBoundary,
  type SceneCutRule,
} from '../scenes/streaming-scene-detector.js';

export interface SceneChunkOptions {
  /** Descriptor frames per second (default 2). */
  readonly fps?: number;
  /** Most descriptor frames (default 240; longer videos are sampled uniformly). */
  readonly maxFrames?: number;
  /** Cut rule (default `threshold`), its parameters, and the shortest scene in seconds (default 1). */
  readonly rule?: SceneCutRule;
  readonly threshold?: number;
  readonly ratio?: number;
  /** Depth rule: SceneTilling threshold factor (default 0.5). */
  readonly alpha?: number;
  readonly minSceneSeconds?: number;
  /** Most scene boundaries (default 15). */
  readonly cap?: number;
  readonly signal?: AbortSignal;
}

const descriptorSize = { width: 64, height: 48 };

/** The caption chunks of `input`, one per detected scene. */
export async function planSceneChunks(
  input: string,
  options: SceneChunkOptions = {},
): Promise<{ chunks: ChunkSpan[]; duration: number }> {
  const extracted = await extractFrames(input, {
    fps: options.fps ?? 2,
    maxFrames: options.maxFrames ?? 240,
    size: descriptorSize,
    resize: 'squash',
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const duration = extracted.probe.duration;
  if (!Number.isFinite(duration) || duration <= 0)
    throw new InputRejectedError(input, `duration ${duration} s cannot be split into scenes`);
  if (extracted.frames.length === 0)
    throw new InputRejectedError(input, 'no frames could be decoded for scene detection');
  const frames = extracted.frames;
  const interval =
    frames.length > 1 ? (frames[frames.length - 1]!.pts - frames[0]!.pts) / (frames.length - 1) : duration;
  const detector = new StreamingSceneDetector({
    rule: options.rule ?? sceneDetectorDefaults.rule,
    threshold: options.threshold ?? sceneDetectorDefaults.threshold,
    ratio: options.ratio ?? sceneDetectorDefaults.ratio,
    alpha: options.alpha ?? sceneDetectorDefaults.alpha,
    minSceneSeconds: options.minSceneSeconds ?? sceneDetectorDefaults.minSceneSeconds,
    maxSceneSeconds: Math.max(duration * 2, 1),
    frameInterval: interval,
  });
  const cuts: SceneBoundary[] = [];
  for (const frame of frames)
    cuts.push(...detector.push(hsvHistogram(frame), frame.pts).filter((boundary) => boundary.closedBy === 'cut'));
  cuts.push(...detector.end());
  const cap = options.cap ?? 15;
  const kept = [...cuts]
    .sort((a, b) => (b.score ?? 0) - (a.score ?? 0))
    .slice(0, cap)
    .sort((a, b) => a.endTime - b.endTime);
  const starts = [0, ...kept.map((cut) => cut.endTime)];
  const chunks: ChunkSpan[] = [];
  starts.forEach((start, index) => {
    const end = index + 1 < starts.length ? starts[index + 1]! : duration;
    if (end > start) chunks.push({ start: Math.round(start * 1e6) / 1e6, end: Math.round(end * 1e6) / 1e6 });
  });
  return { chunks: chunks.length > 0 ? chunks : [{ start: 0, end: duration }], duration };
}

/**
 * @file Scene chunks for `vidtok caption --scenes`: a cheap descriptor pass (frames at 2 fps, at most 240, squashed
 * to 16x16 RGB; each frame's descriptor is its 768 pixel values minus the frame's mean, so cosine similarity
 * compares layout and colour changes rather than brightness), then VideoLLaMB's SceneTilling over those descriptors
 * in threshold mode (depth > mean + 0.5 std, at most 15 boundaries; src/strategies/scene-tilling.ts). Scene `i` is
 * captioned over `[start of scene i, start of scene i+1)`; the first starts at 0 and the last ends at the duration.
 */
import type { FrameDescriptors } from '../core/feature-grid.js';
import type { VideoFrame } from '../core/frame.js';
import { InputRejectedError } from '../errors/index.js';
import { extractFrames } from '../ingest/index.js';
import type { ChunkSpan } from '../jobs/chunk-plan.js';
import { sceneTilling, sceneTillingDefaults } from '../strategies/scene-tilling.js';

export interface SceneChunkOptions {
  /** Descriptor frames per second (default 2). */
  readonly fps?: number;
  /** Most descriptor frames (default 240; longer videos are sampled uniformly). */
  readonly maxFrames?: number;
  /** SceneTilling threshold factor (default 0.5, VideoLLaMB's streaming value). */
  readonly alpha?: number;
  /** Most scene boundaries (default 15). */
  readonly cap?: number;
  readonly signal?: AbortSignal;
}

const descriptorSide = 16;

/** Centred pixel descriptors of small frames, `[T, 3 * side * side]`. */
export function pixelDescriptors(frames: readonly VideoFrame[]): FrameDescriptors {
  const D = frames[0] ? frames[0].width * frames[0].height * 3 : 0;
  const data = new Float32Array(frames.length * D);
  frames.forEach((frame, t) => {
    let mean = 0;
    for (let at = 0; at < D; at++) mean += frame.data[at]!;
    mean /= D;
    for (let at = 0; at < D; at++) data[t * D + at] = frame.data[at]! - mean;
  });
  return { T: frames.length, D, data, timestamps: frames.map((frame) => frame.pts), frameIndices: frames.map((frame) => frame.index) };
}

/** The caption chunks of `input`, one per detected scene. */
export async function planSceneChunks(input: string, options: SceneChunkOptions = {}): Promise<{ chunks: ChunkSpan[]; duration: number }> {
  const extracted = await extractFrames(input, {
    fps: options.fps ?? 2,
    maxFrames: options.maxFrames ?? 240,
    size: { width: descriptorSide, height: descriptorSide },
    resize: 'squash',
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const duration = extracted.probe.duration;
  if (!Number.isFinite(duration) || duration <= 0) throw new InputRejectedError(input, `duration ${duration} s cannot be split into scenes`);
  if (extracted.frames.length === 0) throw new InputRejectedError(input, 'no frames could be decoded for scene detection');
  if (extracted.frames.length < 3) return { chunks: [{ start: 0, end: duration }], duration };
  const result = sceneTilling(pixelDescriptors(extracted.frames), {
    alpha: options.alpha ?? sceneTillingDefaults.alpha,
    cap: options.cap ?? sceneTillingDefaults.cap,
  });
  const starts = result.scenes.map((scene, index) => (index === 0 ? 0 : scene.startTime));
  const chunks: ChunkSpan[] = [];
  starts.forEach((start, index) => {
    const end = index + 1 < starts.length ? starts[index + 1]! : duration;
    if (end > start) chunks.push({ start: Math.round(start * 1e6) / 1e6, end: Math.round(end * 1e6) / 1e6 });
  });
  return { chunks: chunks.length > 0 ? chunks : [{ start: 0, end: duration }], duration };
}

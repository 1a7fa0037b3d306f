/**
 * @file VideoLLaMB SceneTilling (exact), a streaming scene detector built on the same depth scores, and a
 * training-free scene memory.
 *
 * Reference: bigai-nlco/VideoLLaMB@a885b9939d07806c8117fe9174ade94566881dce,
 * `llava/model/multimodal_projector/self_segment.py` (`cal_depth_score`, `segment`). `s_i = cos(f_i, f_{i+1})`;
 * TextTiling depth `lpeak + rpeak - 2 s_i` where each peak walks away from i while the similarity does not decrease;
 * `k` mode: the k largest depths, sorted (offline QA uses k = 3, i.e. 4 scenes); threshold mode: depths
 * `> mean + alpha * std` (unbiased), the `cap` (15) largest if more (streaming demo, alpha 0.5); `T-1` is appended
 * when it is not already last. A boundary is the last frame of a scene. Ties in top-k go to the lower index.
 *
 * Streaming (ours, `StreamingSceneTiller`): the depth at i depends only on similarities up to the first decrease
 * right of i, so it is final once that decrease has been seen. The detector finalises depths exactly then, and
 * decides each final depth against `mean + alpha * std` of all depths finalised so far (running, O(1) memory) —
 * decisions are never revised, so an emitted scene never disappears. It differs from the offline threshold mode
 * only through that causal threshold (the offline one uses the depths of the whole video) and the cap, which
 * streaming does not apply. Memory is bounded by `window` recent similarities: a left walk is cut at the window
 * (exact unless the similarities rise monotonically for longer than the window going back), and a depth whose right
 * walk stays open for `window` frames is finalised early with the peak so far (a lower bound: never a false cut).
 *
 * Memory (`sceneMemory`): VideoLLaMB's recurrent memory bridge (learned self-attention over 32 memory tokens plus the
 * scene's 12x12-pooled tokens, and a retriever) cannot be reproduced without its weights. The training-free
 * substitute compresses each closed scene's projected tokens to at most `maxTokens` (32) by adaptive average
 * pooling over time and space (or ToMe), so a pipeline can prepend the bounded memory of past scenes to the
 * current scene — the same "current scene in full + compressed past" shape, but nothing is learned or mixed.
 */
import type { FeatureGrid, FrameDescriptors } from '../../core/feature-grid.js';
import { StrategyInputError } from '../../errors/index.js';
import { cosineSimilarity } from '../../tensor/cosine-similarity.js';
import { adaptiveWindows } from '../../tensor/pooling-windows.js';
import { tomeMerge } from '../../tensor/token-merging.js';
import { averagePoolWindows } from '../../tensor/window-average-pool.js';
import { requireGrid, requireInteger } from '../strategy-input.js';

export type SceneTillingOptions = { readonly k: number } | { readonly alpha?: number; readonly cap?: number };

export const sceneTillingDefaults = { k: 3, alpha: 0.5, cap: 15, memoryTokens: 32 };

export interface Scene {
  /** First and last frame (positions in the descriptors), inclusive. */
  readonly start: number;
  readonly end: number;
  readonly startTime: number;
  readonly endTime: number;
  readonly startFrameIndex: number;
  readonly endFrameIndex: number;
}

export interface SceneTillingResult {
  /** `s_i = cos(f_i, f_{i+1})`, length T-1 (float32 like torch). */
  readonly similarity: Float32Array;
  /** Depth scores, length T-1. */
  readonly depth: Float32Array;
  /** Last frame of each scene, ascending; the last is T-1. */
  readonly boundaries: number[];
  readonly scenes: Scene[];
}

/** `cal_depth_score`: TextTiling depth of every similarity (float32 arithmetic as in torch). */
export function depthScores(similarity: Float32Array): Float32Array {
  const n = similarity.length;
  const depth = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let left = similarity[i]!;
    for (let j = i - 1; j >= 0 && similarity[j]! >= left; j--) left = similarity[j]!;
    let right = similarity[i]!;
    for (let j = i + 1; j < n && similarity[j]! >= right; j++) right = similarity[j]!;
    depth[i] = depthOf(left, right, similarity[i]!);
  }
  return depth;
}

function depthOf(left: number, right: number, value: number): number {
  return Math.fround(Math.fround(left + right) - Math.fround(2 * value));
}

/** Indices of the `k` largest values (ties: lower index first), sorted ascending. */
function topIndices(values: Float32Array, k: number): number[] {
  const order = Array.from(values, (_, i) => i).sort((a, b) => values[b]! - values[a]! || a - b);
  return order.slice(0, k).sort((a, b) => a - b);
}

/** SceneTilling over per-frame descriptors. */
export function sceneTilling(
  descriptors: FrameDescriptors,
  options: SceneTillingOptions = { alpha: 0.5, cap: 15 },
): SceneTillingResult {
  const { T, D, data } = descriptors;
  if (!(T >= 1 && D >= 1) || data.length !== T * D)
    throw new StrategyInputError('scene-tilling', `descriptors [${T},${D}] have ${data.length} values`);
  const similarity = new Float32Array(T - 1);
  for (let i = 0; i + 1 < T; i++) similarity[i] = cosineSimilarity(data, i * D, data, (i + 1) * D, D);
  const depth = depthScores(similarity);
  let boundaries: number[];
  if ('k' in options) {
    requireInteger('scene-tilling', 'k', options.k);
    if (options.k > depth.length)
      throw new StrategyInputError('scene-tilling', `k=${options.k} needs at least ${options.k + 1} frames, got ${T}`);
    boundaries = topIndices(depth, options.k);
  } else {
    const alpha = options.alpha ?? sceneTillingDefaults.alpha;
    const cap = options.cap ?? sceneTillingDefaults.cap;
    requireInteger('scene-tilling', 'cap', cap);
    boundaries = [];
    const n = depth.length;
    if (n >= 2) {
      let mean = 0;
      for (const value of depth) mean += value;
      mean /= n;
      let squares = 0;
      for (const value of depth) squares += (value - mean) * (value - mean);
      const threshold = Math.fround(Math.fround(mean) + Math.fround(alpha * Math.fround(Math.sqrt(squares / (n - 1)))));
      for (let i = 0; i < n; i++) if (depth[i]! > threshold) boundaries.push(i);
      if (boundaries.length > cap) boundaries = topIndices(depth, cap);
    }
  }
  if (boundaries.length === 0 || boundaries[boundaries.length - 1] !== T - 1) boundaries.push(T - 1);
  return { similarity, depth, boundaries, scenes: scenesFromBoundaries(descriptors, boundaries) };
}

/** Scenes `[0..b0], [b0+1..b1], ...` with their times and source indices. */
export function scenesFromBoundaries(
  frames: Pick<FrameDescriptors, 'timestamps' | 'frameIndices'>,
  boundaries: readonly number[],
): Scene[] {
  const scenes: Scene[] = [];
  let start = 0;
  for (const end of boundaries) {
    scenes.push({
      start,
      end,
      startTime: frames.timestamps[start]!,
      endTime: frames.timestamps[end]!,
      startFrameIndex: frames.frameIndices[start]!,
      endFrameIndex: frames.frameIndices[end]!,
    });
    start = end + 1;
  }
  return scenes;
}

export interface StreamingSceneTillerOptions {
  /** Threshold factor on the running standard deviation (default 0.5, VideoLLaMB's streaming value). */
  readonly alpha?: number;
  /** A cut also needs a depth of at least this (default 0: exactly the threshold rule). */
  readonly minDepth?: number;
  /** Depths decided only once this many are final, so the running statistics mean something (default 2). */
  readonly warmup?: number;
  /** Similarities kept for left walks, and the longest a depth may stay open (default 256). */
  readonly window?: number;
}

export interface SceneClosedEvent extends Scene {
  readonly type: 'scene-closed';
  /** Depth score of the cut that closed the scene; null for the scene closed by `end()`. */
  readonly depth: number | null;
}

interface PendingDepth {
  readonly index: number;
  readonly depth: number;
}

/**
 * Streaming SceneTilling: push one descriptor per frame, receive `scene-closed` events as soon as a cut is certain.
 * Scenes are emitted in order and never revised.
 */
export class StreamingSceneTiller {
  // State fields (declarations; the duplicate scan pairs their `name = 0` shape with unrelated constant lists).
  private readonly alpha: number;
  private readonly minDepth: number;
  private readonly warmup: number;
  private readonly window: number;
  /** Ring buffer of the last `window` similarities; similarity i is at `i % window`. */
  private readonly similarities: Float32Array;
  /** Times and source indices of the last `window + 1` frames. */
  private readonly times: Float64Array;
  private readonly sources: Float64Array;
  private previous: Float32Array | undefined;
  private frames = 0;
  /** Similarity indices whose right walk is still open: a contiguous non-decreasing run ending at the latest. */
  private openStart = -1;
  /** Final depths waiting for the warm-up. */
  private undecided: PendingDepth[] = [];
  private decidedCount = 0;
  private mean = 0;
  private squares = 0;
  private sceneStart = 0;
  private sceneStartTime = 0;
  private sceneStartSource = 0;
  private ended = false;

  constructor(options: StreamingSceneTillerOptions = {}) {
    this.alpha = options.alpha ?? sceneTillingDefaults.alpha;
    this.minDepth = options.minDepth ?? 0;
    this.warmup = Math.max(2, options.warmup ?? 2);
    this.window = options.window ?? 256;
    requireInteger('scene-tilling', 'window', this.window, 2);
    this.similarities = new Float32Array(this.window);
    this.times = new Float64Array(this.window + 1);
    this.sources = new Float64Array(this.window + 1);
  }

  /** Frames pushed so far. */
  get frameCount(): number {
    return this.frames;
  }

  /** Adds the next frame's descriptor; returns the scenes this frame made certain (usually none). */
  push(descriptor: Float32Array, pts: number, frameIndex: number = this.frames): SceneClosedEvent[] {
    if (this.ended) throw new StrategyInputError('scene-tilling', 'push() after end()');
    if (this.previous !== undefined && descriptor.length !== this.previous.length) {
      throw new StrategyInputError(
        'scene-tilling',
        `descriptor has ${descriptor.length} values, expected ${this.previous.length}`,
      );
    }
    const n = this.frames;
    this.times[n % (this.window + 1)] = pts;
    this.sources[n % (this.window + 1)] = frameIndex;
    if (n === 0) {
      this.sceneStartTime = pts;
      this.sceneStartSource = frameIndex;
    }
    const events: SceneClosedEvent[] = [];
    if (this.previous !== undefined) {
      const j = n - 1;
      const s = Math.fround(cosineSimilarity(this.previous, 0, descriptor, 0, descriptor.length));
      if (this.openStart >= 0 && s < this.similarity(j - 1)) {
        // The open run's right walks all stop here, at the peak s_{j-1}.
        this.finalise(this.openStart, j - 1, this.similarity(j - 1), events);
        this.openStart = -1;
      }
      this.similarities[j % this.window] = s;
      if (this.openStart < 0) this.openStart = j;
      else if (j - this.openStart >= this.window - 1) {
        // Bound the memory: close the oldest open depth early with the peak so far (a lower bound of its depth).
        this.finalise(this.openStart, this.openStart, s, events);
        this.openStart += 1;
      }
    }
    this.previous = descriptor.slice();
    this.frames = n + 1;
    return events;
  }

  /** Ends the stream: finalises open depths and closes the last scene at the last frame. */
  end(): SceneClosedEvent[] {
    const events: SceneClosedEvent[] = [];
    if (this.ended || this.frames === 0) return events;
    this.ended = true;
    const last = this.frames - 1;
    if (this.openStart >= 0) this.finalise(this.openStart, last - 1, this.similarity(last - 1), events);
    this.openStart = -1;
    this.decide(this.undecided.splice(0), events);
    events.push(this.closeScene(last, null));
    return events;
  }

  private similarity(i: number): number {
    return this.similarities[i % this.window]!;
  }

  /** Computes the final depths of similarity indices `from..to` (right peak `right`) and decides them. */
  private finalise(from: number, to: number, right: number, events: SceneClosedEvent[]): void {
    const oldest = Math.max(0, this.frames - 1 - this.window + 1);
    for (let i = from; i <= to; i++) {
      const value = this.similarity(i);
      let left = value;
      for (let j = i - 1; j >= oldest && this.similarity(j) >= left; j--) left = this.similarity(j);
      const depth = depthOf(left, right, value);
      this.decidedCount += 1;
      const delta = depth - this.mean;
      this.mean += delta / this.decidedCount;
      this.squares += delta * (depth - this.mean);
      this.undecided.push({ index: i, depth });
    }
    if (this.decidedCount >= this.warmup) this.decide(this.undecided.splice(0), events);
  }

  private decide(depths: PendingDepth[], events: SceneClosedEvent[]): void {
    if (depths.length === 0) return;
    const std = this.decidedCount >= 2 ? Math.sqrt(this.squares / (this.decidedCount - 1)) : Number.NaN;
    const threshold = Math.fround(Math.fround(this.mean) + Math.fround(this.alpha * Math.fround(std)));
    for (const { index, depth } of depths) {
      if (depth > threshold && depth >= this.minDepth) {
        events.push(this.closeScene(index, depth));
      }
    }
  }

  private closeScene(end: number, depth: number | null): SceneClosedEvent {
    const slot = end % (this.window + 1);
    const event: SceneClosedEvent = {
      type: 'scene-closed',
      start: this.sceneStart,
      end,
      startTime: this.sceneStartTime,
      endTime: this.times[slot]!,
      startFrameIndex: this.sceneStartSource,
      endFrameIndex: this.sources[slot]!,
      depth,
    };
    this.sceneStart = end + 1;
    const next = (end + 1) % (this.window + 1);
    this.sceneStartTime = this.times[next]!;
    this.sceneStartSource = this.sources[next]!;
    return event;
  }
}

export interface SceneMemoryOptions {
  /** Upper bound on the memory tokens (default 32, VideoLLaMB's memory size). */
  readonly maxTokens?: number;
  /** `pool` (adaptive average over time and space, default) or `tome` (ToMe over all the scene's tokens; O(n^2 D)). */
  readonly method?: 'pool' | 'tome';
}

export interface SceneMemory {
  /** `[count, D]` memory tokens. */
  readonly tokens: Float32Array;
  readonly count: number;
  readonly dim: number;
  /** The pooled `[t, h, w]` layout (pool method only). */
  readonly layout?: { readonly t: number; readonly h: number; readonly w: number };
  /** Frames the memory summarises. */
  readonly timestamps: readonly number[];
  readonly frameIndices: readonly number[];
}

/** Pooled layout `[t, h, w]` with `t*h*w <= maxTokens` for a `[T, h, w]` scene. */
export function sceneMemoryLayout(T: number, h: number, w: number, maxTokens: number): [number, number, number] {
  const t = Math.min(T, Math.max(1, Math.floor(maxTokens / 16)));
  const perFrame = Math.floor(maxTokens / t);
  const rows = Math.min(h, Math.max(1, Math.floor(Math.sqrt(perFrame))));
  const columns = Math.min(w, Math.max(1, Math.floor(perFrame / rows)));
  return [t, rows, columns];
}

/** Compresses one closed scene's tokens to at most `maxTokens` (training-free stand-in for the memory bridge). */
export function sceneMemory(scene: FeatureGrid, options: SceneMemoryOptions = {}): SceneMemory {
  requireGrid('scene-memory', scene);
  const maxTokens = options.maxTokens ?? sceneTillingDefaults.memoryTokens;
  requireInteger('scene-memory', 'max tokens', maxTokens);
  if ((options.method ?? 'pool') === 'tome') {
    const tokens = tomeMerge(scene.data, scene.D, maxTokens);
    return {
      tokens,
      count: tokens.length / scene.D,
      dim: scene.D,
      timestamps: scene.timestamps,
      frameIndices: scene.frameIndices,
    };
  }
  const [t, h, w] = sceneMemoryLayout(scene.T, scene.h, scene.w, maxTokens);
  const time = adaptiveWindows(scene.T, t);
  const tokens = averagePoolWindows(scene.data, [scene.T, scene.h, scene.w, scene.D], {
    time,
    rows: adaptiveWindows(scene.h, h),
    columns: adaptiveWindows(scene.w, w),
  });
  return {
    tokens,
    count: t * h * w,
    dim: scene.D,
    layout: { t, h, w },
    timestamps: scene.timestamps,
    frameIndices: scene.frameIndices,
  };
}

/**
 * @file The one streaming scene detector, shared by narration, the `scene-stream` stage and captioning by scenes.
 * Push one descriptor per frame (see scene-descriptor.ts); it answers with the scene boundaries that frame made
 * certain. Two cut rules:
 *
 * - `threshold` (default): a cut between frames n-1 and n when their descriptor distance (`1 - cosine`; for HSV
 *   histograms one minus the Bhattacharyya coefficient) is at least `threshold` and at least `ratio` times the mean
 *   distance of the last frames of the open scene (PySceneDetect's content / adaptive detectors work the same way).
 *   The cut is certain as soon as frame n arrives.
 * - `depth`: VideoLLaMB's SceneTilling depth score, streamed exactly (`StreamingSceneTiller`): a cut when the depth
 *   is above `mean + alpha * std` of the depths so far and at least `minDepth`; certain once the similarity to the
 *   right of the cut has decreased, so it can come several frames late.
 *
 * Both rules then apply the scene-length bounds: a cut that would leave a scene shorter than `minSceneSeconds` is
 * ignored, and a scene open for `maxSceneSeconds` is closed at the current frame (`max-length`). Boundaries are
 * emitted in order and never revised. Memory is O(window).
 */
import { StrategyInputError } from '../errors/index.js';
import { StreamingSceneTiller } from '../strategies/scene-tilling/scene-tilling.js';
import { descriptorDistance } from './scene-descriptor.js';

export type SceneCutRule = 'threshold' | 'depth';

export interface SceneDetectorOptions {
  readonly rule?: SceneCutRule;
  /** Threshold rule: smallest distance that is a cut. */
  readonly threshold?: number;
  /** Threshold rule: a cut also needs this many times the mean distance of the open scene's recent frames. */
  readonly ratio?: number;
  /** Depth rule: factor on the running standard deviation, and the smallest depth that is a cut. */
  readonly alpha?: number;
  readonly minDepth?: number;
  readonly minSceneSeconds?: number;
  readonly maxSceneSeconds?: number;
  /** Seconds between sampled frames (1 / fps): the end of a scene closed by `max-length`. */
  readonly frameInterval?: number;
}

/** Defaults chosen from `npm run bench -- scenes` (see docs/narrate.md, "Scene detection"). */
export const sceneDetectorDefaults = {
  rule: 'threshold' as SceneCutRule,
  threshold: 0.3,
  ratio: 3,
  alpha: 0.5,
  minDepth: 0.05,
  minSceneSeconds: 1,
  maxSceneSeconds: 30,
  frameInterval: 0.5,
};

export type SceneBoundaryReason = 'cut' | 'max-length';

export interface SceneBoundary {
  /** Position (0-based order of push) of the last frame of the scene that ends. */
  readonly end: number;
  /** When the ended scene ends: the time of the frame after `end` (a cut), or `end`'s time + one interval. */
  readonly endTime: number;
  readonly closedBy: SceneBoundaryReason;
  /** The distance (threshold rule) or depth (depth rule) of the cut; null for `max-length`. */
  readonly score: number | null;
}

const recentDistances = 8;
const timeRingSize = 1024;

export class StreamingSceneDetector {
  readonly rule: SceneCutRule;
  private readonly threshold: number;
  private readonly ratio: number;
  private readonly minSceneSeconds: number;
  private readonly maxSceneSeconds: number;
  private readonly frameInterval: number;
  private readonly tiller: StreamingSceneTiller | undefined;
  private readonly times = new Float64Array(timeRingSize);
  private previous: Float32Array | undefined;
  private recent: number[] = [];
  private position = 0;
  /** Start of the open scene; undefined after a `max-length` close until the next frame. */
  private sceneStart: { readonly position: number; readonly time: number } | undefined;

  constructor(options: SceneDetectorOptions = {}) {
    this.rule = options.rule ?? sceneDetectorDefaults.rule;
    this.threshold = options.threshold ?? sceneDetectorDefaults.threshold;
    this.ratio = options.ratio ?? sceneDetectorDefaults.ratio;
    this.minSceneSeconds = options.minSceneSeconds ?? sceneDetectorDefaults.minSceneSeconds;
    this.maxSceneSeconds = options.maxSceneSeconds ?? sceneDetectorDefaults.maxSceneSeconds;
    this.frameInterval = options.frameInterval ?? sceneDetectorDefaults.frameInterval;
    if (!(this.minSceneSeconds <= this.maxSceneSeconds)) {
      throw new StrategyInputError(
        'scene-detector',
        `minSceneSeconds ${this.minSceneSeconds} exceeds maxSceneSeconds ${this.maxSceneSeconds}`,
      );
    }
    this.tiller =
      this.rule === 'depth'
        ? new StreamingSceneTiller({
            alpha: options.alpha ?? sceneDetectorDefaults.alpha,
            minDepth: options.minDepth ?? sceneDetectorDefaults.minDepth,
            window: timeRingSize / 4,
          })
        : undefined;
  }

  /** Frames pushed so far. */
  get frameCount(): number {
    return this.position;
  }

  /** Adds the next frame's descriptor and stream time. */
  push(descriptor: Float32Array, time: number): SceneBoundary[] {
    const position = this.position;
    this.position += 1;
    this.times[position % timeRingSize] = time;
    const boundaries: SceneBoundary[] = [];
    this.sceneStart ??= { position, time };
    if (this.tiller) {
      for (const cut of this.tiller.push(descriptor, time, position)) this.cut(cut.end, cut.depth ?? 0, boundaries);
    } else if (this.previous !== undefined) {
      const distance = descriptorDistance(this.previous, descriptor);
      const mean = this.recent.length > 0 ? this.recent.reduce((sum, value) => sum + value, 0) / this.recent.length : 0;
      if (distance >= this.threshold && distance >= this.ratio * mean && this.cut(position - 1, distance, boundaries))
        this.recent = [];
      else {
        this.recent.push(distance);
        if (this.recent.length > recentDistances) this.recent.shift();
      }
    }
    this.previous = descriptor;
    const open = this.sceneStart;
    if (open && time - open.time >= this.maxSceneSeconds) {
      boundaries.push({ end: position, endTime: time + this.frameInterval, closedBy: 'max-length', score: null });
      this.sceneStart = undefined;
      this.recent = [];
    }
    return boundaries;
  }

  /** Ends the stream: the cuts only the end made certain (depth rule). The last scene's close is the caller's. */
  end(): SceneBoundary[] {
    const boundaries: SceneBoundary[] = [];
    if (this.tiller)
      for (const cut of this.tiller.end()) if (cut.depth !== null) this.cut(cut.end, cut.depth, boundaries);
    return boundaries;
  }

  /** Emits a cut after position `end` unless it is outside the open scene or leaves it too short. */
  private cut(end: number, score: number, boundaries: SceneBoundary[]): boolean {
    const open = this.sceneStart;
    if (!open || end < open.position || end + 1 >= this.position) return false;
    const nextTime = this.times[(end + 1) % timeRingSize]!;
    if (nextTime - open.time < this.minSceneSeconds) return false;
    boundaries.push({ end, endTime: nextTime, closedBy: 'cut', score });
    this.sceneStart = { position: end + 1, time: nextTime };
    return true;
  }
}

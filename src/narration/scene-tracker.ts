/**
 * @file Turns per-frame tokens into scenes for narration. Each frame's mean token goes to `StreamingSceneTiller`;
 * a certain cut closes the open scene unless it would be shorter than `minSceneSeconds`, and a scene open for
 * `maxSceneSeconds` is force-closed. Memory is bounded: the open scene keeps at most `maxSceneFrames` frames (on
 * overflow every other frame is dropped, the first and last kept); a closed scene hands over `sceneFrames` evenly
 * spaced frames for the prompt and its tokens compressed by `sceneMemory` to at most `memoryTokens`.
 */
import { featureGrid, type FeatureGrid } from '../core/feature-grid.js';
import { sceneMemory, StreamingSceneTiller, type SceneMemory } from '../strategies/scene-tilling.js';
import type { SceneCloseReason } from './narration-events.js';

export interface SceneTrackerOptions {
  readonly alpha: number;
  readonly minDepth: number;
  readonly minSceneSeconds: number;
  readonly maxSceneSeconds: number;
  readonly maxSceneFrames: number;
  readonly sceneFrames: number;
  readonly memoryTokens: number;
  /** Nominal seconds between frames (1 / fps): the end of a scene closed without a following frame. */
  readonly frameInterval: number;
}

export interface ClosedScene {
  readonly scene: number;
  readonly start: number;
  readonly end: number;
  readonly closedBy: SceneCloseReason;
  /** Up to `sceneFrames` evenly spaced frames of the scene, `[T, h, w, D]`. */
  readonly frames: FeatureGrid;
  /** The whole scene compressed to at most `memoryTokens` tokens. */
  readonly memory: SceneMemory;
  /** `performance.now()` when the scene closed. */
  readonly closedAt: number;
}

export type SceneTrackerEvent = { readonly kind: 'start'; readonly scene: number; readonly start: number } | { readonly kind: 'closed'; readonly scene: ClosedScene };

interface HeldFrame {
  readonly position: number;
  readonly time: number;
  readonly grid: FeatureGrid;
}

const timeRingSize = 1024;

/** Seconds rounded to the microsecond (keeps float noise such as 6.0200000000000005 out of the events). */
function roundTime(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}

/** Stacks one-frame grids into `[T, h, w, D]`. */
export function stackFrameGrids(frames: readonly FeatureGrid[]): FeatureGrid {
  const first = frames[0]!;
  const size = first.h * first.w * first.D;
  const data = new Float32Array(frames.length * size);
  frames.forEach((frame, n) => data.set(frame.data.subarray(0, size), n * size));
  return featureGrid(frames.length, first.h, first.w, first.D, data, frames.map((frame) => frame.timestamps[0]!), frames.map((frame) => frame.frameIndices[0]!));
}

/** `count` evenly spaced items of `items` (all of them when there are not more). */
export function evenlySpaced<Item>(items: readonly Item[], count: number): Item[] {
  if (items.length <= count) return [...items];
  if (count === 1) return [items[Math.trunc((items.length - 1) / 2)]!];
  return Array.from({ length: count }, (_, i) => items[Math.round((i * (items.length - 1)) / (count - 1))]!);
}

export class SceneTracker {
  private readonly tiller: StreamingSceneTiller;
  private readonly times = new Float64Array(timeRingSize);
  private held: HeldFrame[] = [];
  private position = 0;
  private sceneCount = 0;
  private open: { readonly scene: number; readonly position: number; readonly time: number } | undefined;
  private peakHeld = 0;

  constructor(private readonly options: SceneTrackerOptions) {
    this.tiller = new StreamingSceneTiller({ alpha: options.alpha, minDepth: options.minDepth });
  }

  /** Frames of the open scene (and after a pending cut) held now, and the most ever held. */
  get heldFrames(): number {
    return this.held.length;
  }

  get peakHeldFrames(): number {
    return this.peakHeld;
  }

  /** Adds a frame: its one-frame token grid, its descriptor and its stream time. */
  push(grid: FeatureGrid, descriptor: Float32Array, time: number): SceneTrackerEvent[] {
    const position = this.position;
    this.position += 1;
    this.times[position % timeRingSize] = time;
    this.held.push({ position, time, grid: featureGrid(1, grid.h, grid.w, grid.D, grid.data, [time], [position]) });
    const events: SceneTrackerEvent[] = [];
    if (!this.open) this.openScene(position, time, events);
    for (const cut of this.tiller.push(descriptor, time, position)) this.cut(cut.end, events);
    const open = this.open;
    if (open && time - open.time >= this.options.maxSceneSeconds) {
      this.close(position, time + this.options.frameInterval, 'max-length', events);
    }
    if (this.held.length > this.options.maxSceneFrames) {
      const last = this.held.length - 1;
      this.held = this.held.filter((_, n) => n % 2 === 0 || n === last);
    }
    this.peakHeld = Math.max(this.peakHeld, this.held.length);
    return events;
  }

  /** Ends the stream: applies cuts made certain by the end, then closes the open scene. */
  end(): SceneTrackerEvent[] {
    const events: SceneTrackerEvent[] = [];
    const final = this.tiller.end();
    for (const cut of final) if (cut.depth !== null) this.cut(cut.end, events);
    if (this.open && this.held.length > 0) {
      const last = this.held[this.held.length - 1]!;
      this.close(last.position, last.time + this.options.frameInterval, 'end-of-stream', events);
    }
    return events;
  }

  private openScene(position: number, time: number, events: SceneTrackerEvent[]): void {
    const scene = this.sceneCount;
    this.sceneCount += 1;
    this.open = { scene, position, time };
    events.push({ kind: 'start', scene, start: roundTime(time) });
  }

  private cut(endPosition: number, events: SceneTrackerEvent[]): void {
    const open = this.open;
    if (!open || endPosition < open.position || endPosition + 1 >= this.position) return;
    const nextTime = this.times[(endPosition + 1) % timeRingSize]!;
    if (nextTime - open.time < this.options.minSceneSeconds) return;
    this.close(endPosition, nextTime, 'cut', events);
    this.openScene(endPosition + 1, nextTime, events);
  }

  private close(endPosition: number, endTime: number, closedBy: SceneCloseReason, events: SceneTrackerEvent[]): void {
    const open = this.open!;
    const frames = this.held.filter((frame) => frame.position <= endPosition);
    this.held = this.held.filter((frame) => frame.position > endPosition);
    this.open = undefined;
    const all = stackFrameGrids(frames.map((frame) => frame.grid));
    const picked = stackFrameGrids(evenlySpaced(frames, this.options.sceneFrames).map((frame) => frame.grid));
    events.push({
      kind: 'closed',
      scene: {
        scene: open.scene,
        start: roundTime(open.time),
        end: roundTime(Math.max(endTime, open.time)),
        closedBy,
        frames: picked,
        memory: sceneMemory(all, { maxTokens: this.options.memoryTokens }),
        closedAt: performance.now(),
      },
    });
  }
}

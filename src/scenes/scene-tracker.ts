/**
 * @file The one streaming scene implementation, shared by narration (src/narration) and the `scene-stream` stage
 * (captioning and `tokens` by scenes). Each frame arrives with its token grid and, when available, its pixels; the
 * tracker builds the frame's descriptor (HSV histogram, the model's mean token, or both: scene-descriptor.ts), asks
 * the StreamingSceneDetector for boundaries, and holds the open scene's frames. Memory is bounded: the open scene
 * keeps at most `maxSceneFrames` frames (on overflow every other frame is dropped, the first and last kept); a
 * closed scene hands over `sceneFrames` evenly spaced frames, the whole scene compressed by `sceneMemory` to at most
 * `memoryTokens`, and (when `thumbnailWidth` > 0) small thumbnails of the frames it hands over.
 */
import { featureGrid, meanTokenDescriptors, type FeatureGrid } from '../core/feature-grid.js';
import type { RgbImage, VideoFrame } from '../core/frame.js';
import { StrategyInputError } from '../errors/index.js';
import { resizeImageArea } from '../encoders/resize-image.js';
import { sceneMemory, type SceneMemory } from '../strategies/scene-tilling/scene-tilling.js';
import { hsvHistogram } from './hsv-histogram.js';
import {
  combineDescriptors,
  defaultModelWeight,
  type DescriptorPart,
  type SceneDescriptorKind,
} from './scene-descriptor.js';
import { StreamingSceneDetector, type SceneDetectorOptions } from './streaming-scene-detector.js';

export type SceneCloseReason = 'cut' | 'max-length' | 'end-of-stream';

export interface SceneTrackerOptions {
  readonly detector: SceneDetectorOptions;
  /** What the detector compares (default `hsv+model` when frames carry pixels, `model` otherwise). */
  readonly descriptor?: SceneDescriptorKind;
  /** Weight of the model's mean token in `hsv+model` (default 0.5). */
  readonly modelWeight?: number;
  readonly maxSceneFrames: number;
  readonly sceneFrames: number;
  readonly memoryTokens: number;
  /** Width of the thumbnails kept for the frames a closed scene hands over (0 = none, default). */
  readonly thumbnailWidth?: number;
  /** Keep the decoded frames of the open scene (bounded by `maxSceneFrames`) and hand them over when it closes. */
  readonly keepFrames?: boolean;
}

export interface ClosedScene {
  readonly scene: number;
  readonly start: number;
  readonly end: number;
  readonly closedBy: SceneCloseReason;
  /** Up to `sceneFrames` evenly spaced frames of the scene, `[T, h, w, D]` (absent when frames came without tokens). */
  readonly frames?: FeatureGrid;
  /** Every frame held for the scene (at most `maxSceneFrames`), when `keepFrames` is set. */
  readonly videoFrames: readonly VideoFrame[];
  /** Thumbnails of those frames (empty unless `thumbnailWidth` > 0 and frames had pixels). */
  readonly thumbnails: readonly SceneThumbnail[];
  /** The whole scene compressed to at most `memoryTokens` tokens (absent when frames came without tokens). */
  readonly memory?: SceneMemory;
  /** Frames the scene held when it closed, and frames dropped from it to stay within `maxSceneFrames`. */
  readonly heldFrames: number;
  readonly thinnedFrames: number;
  /** `performance.now()` when the scene closed. */
  readonly closedAt: number;
}

export interface SceneThumbnail {
  readonly time: number;
  readonly image: RgbImage;
}

export type SceneTrackerEvent =
  | { readonly kind: 'start'; readonly scene: number; readonly start: number }
  | { readonly kind: 'closed'; readonly scene: ClosedScene };

interface HeldFrame {
  readonly position: number;
  readonly time: number;
  readonly grid: FeatureGrid | undefined;
  readonly thumbnail: RgbImage | undefined;
  readonly frame: VideoFrame | undefined;
}

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
  return featureGrid(
    frames.length,
    first.h,
    first.w,
    first.D,
    data,
    frames.map((frame) => frame.timestamps[0]!),
    frames.map((frame) => frame.frameIndices[0]!),
  );
}

/** One-frame grids of a `[T, h, w, D]` grid (views, no copy). */
export function splitFrameGrids(grid: FeatureGrid): FeatureGrid[] {
  const size = grid.h * grid.w * grid.D;
  return Array.from({ length: grid.T }, (_, t) =>
    featureGrid(
      1,
      grid.h,
      grid.w,
      grid.D,
      grid.data.subarray(t * size, (t + 1) * size),
      [grid.timestamps[t]!],
      [grid.frameIndices[t]!],
    ),
  );
}

/** `count` evenly spaced items of `items` (all of them when there are not more). */
export function evenlySpaced<Item>(items: readonly Item[], count: number): Item[] {
  if (items.length <= count) return [...items];
  if (count === 1) return [items[Math.trunc((items.length - 1) / 2)]!];
  return Array.from({ length: count }, (_, i) => items[Math.round((i * (items.length - 1)) / (count - 1))]!);
}

export class SceneTracker {
  private readonly detector: StreamingSceneDetector;
  private held: HeldFrame[] = [];
  private thinned = 0;
  private position = 0;
  private sceneCount = 0;
  private open: { readonly scene: number; readonly position: number; readonly time: number } | undefined;
  private peakHeld = 0;

  constructor(private readonly options: SceneTrackerOptions) {
    this.detector = new StreamingSceneDetector(options.detector);
  }

  /** Frames of the open scene held now, and the most ever held. */
  get heldFrames(): number {
    return this.held.length;
  }

  get peakHeldFrames(): number {
    return this.peakHeld;
  }

  /** Whether the descriptor needs the frames' tokens (so every frame must be encoded). */
  get needsTokens(): boolean {
    return (this.options.descriptor ?? 'hsv+model') !== 'hsv';
  }

  /** The descriptor of one frame from its token grid and/or pixels. */
  describe(grid: FeatureGrid | undefined, pixels: RgbImage | undefined): Float32Array {
    const kind = this.options.descriptor ?? (pixels ? 'hsv+model' : 'model');
    if (!grid && (kind !== 'hsv' || !pixels))
      throw new StrategyInputError(
        'scene-tracker',
        `descriptor ${kind} needs ${pixels ? "the frame's tokens" : "the frame's pixels"}`,
      );
    if (!grid) return hsvHistogram(pixels!);
    const parts: DescriptorPart[] = [];
    if (kind !== 'model' && pixels)
      parts.push({
        vector: hsvHistogram(pixels),
        weight: kind === 'hsv' ? 1 : 1 - (this.options.modelWeight ?? defaultModelWeight),
      });
    if (kind !== 'hsv' || !pixels)
      parts.push({
        vector: meanTokenDescriptors(grid!).data,
        weight: kind === 'model' || !pixels ? 1 : (this.options.modelWeight ?? defaultModelWeight),
      });
    return parts.length === 1 && kind === 'model' ? parts[0]!.vector : combineDescriptors(parts);
  }

  /** Adds a frame: its one-frame token grid (optional with the `hsv` descriptor), its pixels and its time. */
  push(grid: FeatureGrid | undefined, pixels: VideoFrame | RgbImage | undefined, time: number): SceneTrackerEvent[] {
    return this.pushDescribed(grid, this.describe(grid, pixels), time, pixels);
  }

  /** Adds a frame whose descriptor the caller computed. */
  pushDescribed(
    grid: FeatureGrid | undefined,
    descriptor: Float32Array,
    time: number,
    pixels?: VideoFrame | RgbImage,
  ): SceneTrackerEvent[] {
    const position = this.position;
    this.position += 1;
    const width = this.options.thumbnailWidth ?? 0;
    const thumbnail =
      width > 0 && pixels
        ? resizeImageArea(pixels, width, Math.max(1, Math.round((pixels.height * width) / pixels.width)))
        : undefined;
    const frame = this.options.keepFrames && pixels && 'pts' in pixels ? pixels : undefined;
    this.held.push({
      position,
      time,
      grid: grid
        ? featureGrid(1, grid.h, grid.w, grid.D, grid.data, [time], [grid.frameIndices[0] ?? position])
        : undefined,
      thumbnail,
      frame,
    });
    const events: SceneTrackerEvent[] = [];
    if (!this.open) this.openScene(position, time, events);
    for (const boundary of this.detector.push(descriptor, time)) {
      this.close(boundary.end, boundary.endTime, boundary.closedBy, events);
      if (boundary.closedBy === 'cut') this.openScene(boundary.end + 1, boundary.endTime, events);
    }
    if (this.held.length > this.options.maxSceneFrames) {
      const last = this.held.length - 1;
      const before = this.held.length;
      this.held = this.held.filter((_, n) => n % 2 === 0 || n === last);
      this.thinned += before - this.held.length;
    }
    this.peakHeld = Math.max(this.peakHeld, this.held.length);
    return events;
  }

  /** Ends the stream: applies cuts made certain by the end, then closes the open scene. */
  end(): SceneTrackerEvent[] {
    const events: SceneTrackerEvent[] = [];
    for (const boundary of this.detector.end()) {
      this.close(boundary.end, boundary.endTime, boundary.closedBy, events);
      this.openScene(boundary.end + 1, boundary.endTime, events);
    }
    if (this.open && this.held.length > 0) {
      const last = this.held[this.held.length - 1]!;
      this.close(last.position, last.time + (this.options.detector.frameInterval ?? 0), 'end-of-stream', events);
    }
    return events;
  }

  private openScene(position: number, time: number, events: SceneTrackerEvent[]): void {
    const scene = this.sceneCount;
    this.sceneCount += 1;
    this.open = { scene, position, time };
    events.push({ kind: 'start', scene, start: roundTime(time) });
  }

  private close(endPosition: number, endTime: number, closedBy: SceneCloseReason, events: SceneTrackerEvent[]): void {
    const open = this.open;
    if (!open) return;
    const frames = this.held.filter((frame) => frame.position <= endPosition);
    this.held = this.held.filter((frame) => frame.position > endPosition);
    this.open = undefined;
    const thinned = this.thinned;
    this.thinned = 0;
    if (frames.length === 0) return;
    const grids = frames.flatMap((frame) => (frame.grid ? [frame.grid] : []));
    const pickedFrames = evenlySpaced(frames, this.options.sceneFrames);
    const pickedGrids = pickedFrames.flatMap((frame) => (frame.grid ? [frame.grid] : []));
    const tokens = grids.length === frames.length && grids.length > 0;
    events.push({
      kind: 'closed',
      scene: {
        scene: open.scene,
        start: roundTime(open.time),
        end: roundTime(Math.max(endTime, open.time)),
        closedBy,
        ...(tokens
          ? {
              frames: stackFrameGrids(pickedGrids),
              memory: sceneMemory(stackFrameGrids(grids), { maxTokens: this.options.memoryTokens }),
            }
          : {}),
        videoFrames: frames.flatMap((frame) => (frame.frame ? [frame.frame] : [])),
        thumbnails: pickedFrames.flatMap((frame) =>
          frame.thumbnail ? [{ time: roundTime(frame.time), image: frame.thumbnail }] : [],
        ),
        heldFrames: frames.length,
        thinnedFrames: thinned,
        closedAt: performance.now(),
      },
    });
  }
}

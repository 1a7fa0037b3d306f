/**
 * @file The events `narrateStream` emits, a discriminated union on `type` (`<noun>-<action>` names). Times are seconds
 * on the stream timeline: a file's own pts; for live sources (URLs, stdin) seconds since the first frame, continued
 * across reconnects. The CLI writes each event as one JSON line; the SSE server sends the same objects.
 */

/** A new scene began at `start` (emitted as soon as the scene is known to have started). */
export interface SceneStartEvent {
  readonly type: 'scene-start';
  readonly scene: number;
  readonly start: number;
}

/** More narration text for `scene` (concatenate the deltas of one scene to get its narration). */
export interface NarrationDeltaEvent {
  readonly type: 'narration-delta';
  readonly scene: number;
  readonly text: string;
}

/** Why a scene was closed. */
export type SceneCloseReason = 'cut' | 'max-length' | 'end-of-stream';

/** The narration of a scene is complete (or was cut short by an interrupt). */
export interface NarrationEndEvent {
  readonly type: 'narration-end';
  readonly scene: number;
  /** Later scenes folded into this narration because the narrator was behind (usually empty). */
  readonly mergedScenes: readonly number[];
  /** Scene start and end, seconds (end = first frame of the next scene, or last frame + one sampling interval). */
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly closedBy: SceneCloseReason;
  /** True when an interrupt cut the narration before the model finished. */
  readonly interrupted: boolean;
  readonly generatedTokens: number;
  /** Frames of the scene given to the model, and memory tokens of earlier scenes in the prompt. */
  readonly frames: number;
  /** Stream times of those frames. */
  readonly frameTimes: readonly number[];
  /** PNG `data:` URIs of those frames (only with the `thumbnails` option). */
  readonly thumbnails?: readonly string[];
  readonly memoryTokens: number;
  /** Visual tokens in the prompt (memories plus the scene's tokens from the pipeline's per-scene graph). */
  readonly visualTokens: number;
  /** Closed scenes still waiting for the narrator when this narration ended (0 = keeping up). */
  readonly pendingScenes: number;
  /** From the moment the scene closed to this event, milliseconds (includes waiting for the narrator). */
  readonly latencyMilliseconds: number;
}

/**
 * The narrator was behind on a live source: closed scene `scene` was folded into waiting scene `into` (it is
 * narrated with it; its `narration-end` lists it in `mergedScenes`). `total` counts merges since the start.
 */
export interface SceneMergedEvent {
  readonly type: 'scene-merged';
  readonly scene: number;
  readonly into: number;
  readonly total: number;
  /** Scenes waiting for the narrator at that moment. */
  readonly pendingScenes: number;
}

/** Frames were dropped by the bounded live buffer because intake fell behind (coalesced). */
export interface FrameDroppedEvent {
  readonly type: 'frame-dropped';
  /** Frames dropped since the previous frame-dropped event. */
  readonly count: number;
  /** Frames dropped since the start. */
  readonly total: number;
  /** Stream time of the latest frame taken when the drops were noticed. */
  readonly at: number;
}

/** The live source ended or failed; reconnecting after `delayMilliseconds`. */
export interface SourceReconnectEvent {
  readonly type: 'source-reconnect';
  /** 1 for the first retry after frames last arrived, then 2, 3... */
  readonly attempt: number;
  readonly delayMilliseconds: number;
  readonly reason: string;
}

export type NarrationEvent =
  | SceneStartEvent
  | NarrationDeltaEvent
  | NarrationEndEvent
  | SceneMergedEvent
  | FrameDroppedEvent
  | SourceReconnectEvent;

export type NarrationEventType = NarrationEvent['type'];

export const narrationEventTypes: readonly NarrationEventType[] = [
  'scene-start',
  'narration-delta',
  'narration-end',
  'scene-merged',
  'frame-dropped',
  'source-reconnect',
];

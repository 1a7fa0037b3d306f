/**
 * @file What a caller asks of a frame source: `FrameRequest` (sampling rule, time window, output size and resize
 * policy, live-buffer size, limits, callbacks) and `ResizePolicy`. Kept apart from frame-source.ts so that the
 * decode planner and the decode job can read it without importing the source back.
 */
import type { Readable } from 'node:stream';
import type { FrameIndexRule } from '../sampling/frame-indices.js';
import type { IngestWarning } from './ffmpeg-log.js';
import type { IngestLimits } from './limits.js';

/** squash = exact size ignoring aspect; fit = letterbox with black padding; crop = cover then centre-crop. */
export type ResizePolicy = 'squash' | 'fit' | 'crop';

export interface FrameRequest {
  /** Uniform sampling by index: how many frames (default rule 'np_linspace_int'). */
  count?: number;
  rule?: FrameIndexRule;
  /** Frames per second: the first frame of every 1/fps interval; min/max frames clamp to a uniform count. */
  fps?: number;
  minFrames?: number;
  maxFrames?: number;
  /**
   * Timestamps in seconds on the stream's pts timeline: the frame shown at each time (last frame with pts <= t),
   * ascending, each frame once; a time before the first frame gives the first frame with a warning.
   */
  at?: readonly number[];
  keyframes?: boolean;
  scenes?: boolean;
  /** Scene-change score threshold in (0, 1), default 0.3. */
  sceneThreshold?: number;
  /** Time window in seconds (stream pts timeline, compared in integer pts units): frames with start <= pts < end. */
  start?: number;
  end?: number;
  /** Output size; frames keep the display size (after rotation) when omitted. */
  size?: { width: number; height: number };
  /** squash = exact size ignoring aspect; fit = letterbox with black padding; crop = cover then centre-crop. */
  resize?: ResizePolicy;
  /** Play a file at real speed (`-re`) like a live source. */
  realtime?: boolean;
  /** Capacity of the drop-oldest buffer for live/realtime sources (default 8 frames). */
  bufferFrames?: number;
  signal?: AbortSignal;
  limits?: Partial<IngestLimits>;
  onWarning?: (warning: IngestWarning) => void;
  /** Called on every frame dropped by the live buffer with the total dropped so far. */
  onDrop?: (dropped: number) => void;
  /** The stream read for input `-` (default: process.stdin). */
  stdin?: Readable;
}

/**
 * @file What probing a source tells us: the stream summary (`ProbeResult`) and the per-frame timeline (`FrameTimeline`,
 * every frame's presentation timestamp and keyframe flag) used to pick frames by index exactly.
 */

export interface ProbeResult {
  /** The input as the user gave it. */
  input: string;
  /** ffprobe's format name, e.g. `mov,mp4,m4a,3gp,3g2,mj2`. */
  container: string;
  /** Video codec name, e.g. `h264`. */
  codec: string;
  /** Pixel format of the decoded stream, e.g. `yuv420p`. */
  pixelFormat: string;
  /** Duration in seconds (0 when unknown, e.g. live sources). */
  duration: number;
  /** Average frame rate (frames / duration) from the container, 0 when unknown. */
  avgFrameRate: number;
  /** ffprobe's `r_frame_rate`: the lowest rate that represents all timestamps (the "real" base rate). */
  realFrameRate: number;
  /** Display width after rotation. */
  width: number;
  /** Display height after rotation. */
  height: number;
  /** Rotation applied on display, degrees clockwise (0, 90, 180, 270). */
  rotation: number;
  /** Number of video frames (0 when unknown). */
  frameCount: number;
  /** Whether `frameCount` is the container's or a packet count (true) or estimated from duration x rate (false). */
  frameCountExact: boolean;
  /** Mean seconds between keyframes over the first 20 s, or null when fewer than two keyframes were seen. */
  keyframeInterval: number | null;
  hasAudio: boolean;
  isLive: boolean;
  /** Start time of the container in seconds (timestamps of frames are in the same timeline). */
  startTime?: number;
  /** Coded (stored) size before rotation. */
  codedWidth?: number;
  codedHeight?: number;
}

/** Every frame of the video stream in presentation order. */
export interface FrameTimeline {
  /** Presentation timestamps in stream time-base units, ascending. */
  readonly ptsUnits: readonly number[];
  /** Presentation timestamps in seconds (`ptsUnits * timeBase`, computed as ffmpeg does). */
  readonly pts: readonly number[];
  /** Whether each frame is a keyframe. */
  readonly keyframe: readonly boolean[];
  /** Stream time base as [numerator, denominator]. */
  readonly timeBase: readonly [number, number];
  /** Packets without a timestamp that were left out. */
  readonly packetsWithoutPts: number;
}

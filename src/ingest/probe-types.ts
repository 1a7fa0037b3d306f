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
  /**
   * Duration of the video stream in seconds (0 when unknown, e.g. live sources): the stream's own duration with
   * edit lists applied, not the container's (which also spans audio that starts earlier or ends later).
   */
  duration: number;
  /** Average frame rate (frames / duration) from the container, 0 when unknown. */
  avgFrameRate: number;
  /** ffprobe's `r_frame_rate`: the lowest rate that represents all timestamps (the "real" base rate). */
  realFrameRate: number;
  /** Width of decoded frames after rotation, in stored pixels (see `sampleAspectRatio` for anamorphic video). */
  width: number;
  /** Height of decoded frames after rotation, in stored pixels. */
  height: number;
  /**
   * Rotation of the display matrix in degrees, with ffprobe's sign convention (counter-clockwise positive): one of
   * 0, 90, -90, 180. A phone clip tagged `rotate=90` (turn 90 degrees clockwise to display) reports -90.
   */
  rotation: number;
  /** Number of video frames the decoder outputs (edit lists applied; 0 when unknown). */
  frameCount: number;
  /** Whether `frameCount` was counted from the packet list (true) or estimated from duration x rate (false). */
  frameCountExact: boolean;
  /** Mean seconds between keyframes over the first 20 s, or null when fewer than two keyframes were seen. */
  keyframeInterval: number | null;
  hasAudio: boolean;
  isLive: boolean;
  /** Pts of the first video frame in seconds (the timeline of frame pts, `--at`, `--start`, `--end`). */
  startTime?: number;
  /** Start time of the container in seconds (input-side seeks are relative to it). */
  containerStartTime?: number;
  /** Duration of the container in seconds (all streams). */
  containerDuration?: number;
  /** Sample (pixel) aspect ratio of the coded frames as [width, height], e.g. [4, 3] for anamorphic; [1, 1] square. */
  sampleAspectRatio?: readonly [number, number];
  /** Display aspect ratio of the coded frame (before rotation) with the sample aspect ratio applied, reduced. */
  displayAspectRatio?: readonly [number, number];
  /** The video stream's time base as [numerator, denominator]: frame pts are integers in these units. */
  timeBase?: readonly [number, number];
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
  /** Packets the demuxer marks as discarded (edit-list pre-roll): the decoder never outputs them. */
  readonly discardedPackets?: number;
}

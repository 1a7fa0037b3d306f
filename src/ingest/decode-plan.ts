/**
 * @file Chooses how to decode a request. Frames wanted by index are mapped to exact pts through the frame timeline
 * (ffprobe packet list) and selected with `select='eq(pts,P)...'`; runs of wanted frames are grouped into decode jobs
 * greedily: a new job (input-side seek to the previous keyframe) starts when that decodes fewer frames than
 * continuing. One job = a sequential decode; several = keyframe-aware seeking. Dense fps sampling, scenes and
 * windows are one sequential decode; keyframes use `-skip_frame nokey`; live sources read everything in order.
 */
import { UsageError, LimitExceededError } from '../errors/index.js';
import { frameIndices, type FrameIndexRule } from '../sampling/frame-indices.js';
import type { FrameTimeline, ProbeResult } from './probe-types.js';
import type { FrameRequest } from './frame-source.js';

export interface DecodePlan {
  mode: 'sequential' | 'seek' | 'keyframes' | 'live';
  /** Why this mode was chosen, in one sentence. */
  reason: string;
  /** The frame-selection part of the ffmpeg filter graph (first job). */
  filter?: string;
  /** How many frames the plan delivers (when known in advance). */
  frames?: number;
  /** Number of ffmpeg processes the plan runs. */
  jobs?: number;
  /** Source frames the decoder has to decode (estimate from the keyframe index). */
  decodedFrames?: number;
}

/** What a caller asks for (the selection part of FrameRequest). */
export type FrameSelection = Pick<
  FrameRequest,
  'count' | 'rule' | 'fps' | 'minFrames' | 'maxFrames' | 'at' | 'keyframes' | 'scenes' | 'sceneThreshold' | 'start' | 'end' | 'realtime'
>;

/** One ffmpeg process. */
export interface DecodeJob {
  /** Input-side `-ss` in seconds relative to the container start (undefined: decode from the start). */
  seekSeconds?: number;
  /** The select expression (undefined: every frame). */
  select?: string;
  /** `-frames:v` limit (undefined: until the end). */
  frameLimit?: number;
  /** Decode keyframes only (`-skip_frame nokey`). */
  keyframesOnly?: boolean;
  /** Frame indices this job must deliver, ascending (when known). */
  expected?: readonly number[];
  /** Seconds of media the job decodes (for its deadline). */
  mediaSeconds: number;
  /** Set on the retry of a seek that missed frames (never retried again). */
  retry?: boolean;
}

export interface ResolvedPlan {
  readonly plan: DecodePlan;
  readonly jobs: readonly DecodeJob[];
  /** For selections by index: how many times each index is delivered (duplicates of the papers' rules repeat). */
  readonly multiplicity?: ReadonlyMap<number, number>;
}

/** Decoding from a keyframe costs about this many frames of work per extra ffmpeg process (spawn, open, seek). */
export const seekOverheadFrames = 12;
/** Longest select expression we pass on the command line (Linux caps one argument at 128 KiB). */
const maxExpressionLength = 120_000;
export const defaultSceneThreshold = 0.3;

function number(value: number): string {
  return String(value);
}

/** The select expression for an exact set of pts (in stream time-base units), as a balanced if-tree. */
export function ptsSetExpression(ptsUnits: readonly number[]): string {
  const sorted = [...new Set(ptsUnits)].sort((a, b) => a - b);
  const build = (low: number, high: number): string => {
    if (high - low <= 8) return sorted.slice(low, high).map((value) => `eq(pts,${value})`).join('+');
    const middle = (low + high) >> 1;
    return `if(lt(pts,${sorted[middle]}),${build(low, middle)},${build(middle, high)})`;
  };
  return sorted.length === 0 ? '0' : build(0, sorted.length);
}

function windowExpression(start: number | undefined, end: number | undefined): string[] {
  const parts: string[] = [];
  if (start !== undefined) parts.push(`gte(t,${number(start)})`);
  if (end !== undefined && Number.isFinite(end)) parts.push(`lt(t,${number(end)})`);
  return parts;
}

/** fps sampling: the first frame of every 1/fps bucket counted from `start`. Same arithmetic as ffmpeg's select. */
export function fpsExpression(fps: number, start: number, end: number | undefined): string {
  const bucket = (variable: string): string => `floor((${variable}-${number(start)})*${number(fps)})`;
  return [...windowExpression(start, end), `(isnan(prev_t)+lt(prev_t,${number(start)})+gt(${bucket('t')},${bucket('prev_t')}))`].join('*');
}

/** Indices of the frames `fpsExpression` selects, computed from the timeline with the same double arithmetic. */
export function fpsIndices(timeline: FrameTimeline, fps: number, start: number, end: number | undefined, first: number, last: number): number[] {
  const selected: number[] = [];
  const seconds = timeline.timeBase[0] / timeline.timeBase[1];
  for (let index = first; index < last; index += 1) {
    const time = timeline.ptsUnits[index]! * seconds;
    if (time < start || (end !== undefined && time >= end)) continue;
    const previous = index > 0 ? timeline.ptsUnits[index - 1]! * seconds : Number.NaN;
    if (Number.isNaN(previous) || previous < start || Math.floor((time - start) * fps) > Math.floor((previous - start) * fps)) {
      selected.push(index);
    }
  }
  return selected;
}

/** Index of the last frame whose pts <= time (0 when time is before the first frame). */
export function frameAtTime(timeline: FrameTimeline, time: number): number {
  let low = 0;
  let high = timeline.pts.length - 1;
  let answer = 0;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (timeline.pts[middle]! <= time + 1e-9) {
      answer = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return answer;
}

/** Index of the frame whose pts (time-base units) equals `ptsUnits`, or the nearest one. */
export function frameAtPtsUnits(timeline: FrameTimeline, ptsUnits: number): number {
  const values = timeline.ptsUnits;
  let low = 0;
  let high = values.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (values[middle]! < ptsUnits) low = middle + 1;
    else high = middle;
  }
  if (low > 0 && Math.abs(values[low - 1]! - ptsUnits) < Math.abs(values[low]! - ptsUnits)) return low - 1;
  return low;
}

function keyframeAtOrBefore(timeline: FrameTimeline, index: number): number {
  for (let candidate = index; candidate >= 0; candidate -= 1) if (timeline.keyframe[candidate]) return candidate;
  return 0;
}

function seekFor(timeline: FrameTimeline, probe: ProbeResult, keyframe: number): number | undefined {
  if (keyframe <= 0) return undefined;
  // Seek to just after the keyframe's pts: the demuxer picks the last keyframe whose (decode) timestamp is <= the
  // target, which is this keyframe (dts <= pts; the next keyframe is a whole GOP later). Aiming below the pts would
  // land one GOP early whenever dts == pts. A seek that still misses a frame is retried from further back.
  const seconds = timeline.pts[keyframe]! - (probe.startTime ?? 0) + 0.0005;
  return seconds > 0 ? seconds : undefined;
}

function validateSelection(input: string, selection: FrameSelection): void {
  const modes = [selection.count !== undefined, selection.fps !== undefined, selection.at !== undefined, Boolean(selection.keyframes), Boolean(selection.scenes)];
  if (modes.filter(Boolean).length > 1) throw new UsageError(`${input}: choose one of count, fps, at, keyframes, scenes`);
  const positive = (name: string, value: number | undefined, integer: boolean): void => {
    if (value === undefined) return;
    if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
      throw new UsageError(`${input}: ${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`);
    }
  };
  positive('count', selection.count, true);
  positive('fps', selection.fps, false);
  positive('min frames', selection.minFrames, true);
  positive('max frames', selection.maxFrames, true);
  if (selection.fps !== undefined && selection.fps > 1000) throw new UsageError(`${input}: fps must be at most 1000, got ${selection.fps}`);
  if (selection.sceneThreshold !== undefined && !(selection.sceneThreshold > 0 && selection.sceneThreshold < 1)) {
    throw new UsageError(`${input}: scene threshold must be between 0 and 1, got ${selection.sceneThreshold}`);
  }
  for (const time of selection.at ?? []) if (!Number.isFinite(time) || time < 0) throw new UsageError(`${input}: --at times must be seconds >= 0, got ${time}`);
  if (selection.start !== undefined && (!Number.isFinite(selection.start) || selection.start < 0)) throw new UsageError(`${input}: start must be >= 0 seconds`);
  if (selection.end !== undefined && !(selection.end > (selection.start ?? 0))) throw new UsageError(`${input}: end must be after start`);
}

/** Plans a live source (or stdin): one process reading in order; fps/scenes become select expressions. */
export function planLive(input: string, selection: FrameSelection): ResolvedPlan {
  validateSelection(input, selection);
  if (selection.count !== undefined || selection.at !== undefined || selection.keyframes) {
    throw new UsageError(`${input}: live sources support fps, scenes or every frame, not count/at/keyframes`);
  }
  let select: string | undefined;
  if (selection.fps !== undefined) {
    const fps = number(selection.fps);
    select = `isnan(prev_selected_t)+gt(floor(t*${fps}),floor(prev_selected_t*${fps}))`;
  } else if (selection.scenes) {
    select = `isnan(prev_selected_t)+gt(scene,${number(selection.sceneThreshold ?? defaultSceneThreshold)})`;
  }
  return {
    plan: { mode: 'live', reason: 'live source: one process reading in order into a drop-oldest buffer', ...(select ? { filter: `select='${select}'` } : {}), jobs: 1 },
    jobs: [{ select, mediaSeconds: Number.POSITIVE_INFINITY }],
  };
}

/** Plans a file request against its probe and frame timeline. */
export function planFile(input: string, selection: FrameSelection, probe: ProbeResult, timeline: FrameTimeline): ResolvedPlan {
  validateSelection(input, selection);
  const total = timeline.pts.length;
  if (total === 0) throw new UsageError(`${input}: the video stream has no frames`);
  const lastPts = timeline.pts[total - 1]!;
  const start = selection.start;
  const end = selection.end;
  // The window in frame indices: [low, high).
  let low = 0;
  while (low < total && start !== undefined && timeline.pts[low]! < start) low += 1;
  let high = total;
  while (high > low && end !== undefined && timeline.pts[high - 1]! >= end) high -= 1;
  if (high <= low) throw new UsageError(`${input}: the time window ${selection.start ?? 0}..${end ?? lastPts} s holds no frames`);
  const windowStart = timeline.pts[low]!;
  const frameSeconds = (from: number, to: number): number => Math.max(0, timeline.pts[Math.min(to, total - 1)]! - timeline.pts[from]!) + 1;

  const realtimeOnly = (plan: ResolvedPlan): ResolvedPlan => {
    if (!selection.realtime) return plan;
    const job = plan.jobs[0]!;
    const merged: DecodeJob = { ...job, seekSeconds: undefined, mediaSeconds: frameSeconds(0, high - 1) };
    return { ...plan, plan: { ...plan.plan, mode: 'live', reason: `realtime playback (-re) of a file; ${plan.plan.reason}`, jobs: 1 }, jobs: [merged] };
  };

  if (selection.keyframes) {
    const expected: number[] = [];
    for (let index = low; index < high; index += 1) if (timeline.keyframe[index]) expected.push(index);
    const select = windowExpression(selection.start !== undefined ? windowStart : undefined, end).join('*') || undefined;
    return realtimeOnly({
      plan: { mode: 'keyframes', reason: 'keyframes requested: the decoder skips every non-keyframe (-skip_frame nokey)', ...(select ? { filter: `select='${select}'` } : {}), frames: expected.length, jobs: 1, decodedFrames: expected.length },
      jobs: [{ keyframesOnly: true, select, expected, frameLimit: expected.length, seekSeconds: seekFor(timeline, probe, keyframeAtOrBefore(timeline, low)), mediaSeconds: frameSeconds(low, high - 1) }],
    });
  }

  if (selection.scenes) {
    const threshold = selection.sceneThreshold ?? defaultSceneThreshold;
    const select = [...windowExpression(selection.start !== undefined ? windowStart : undefined, end), `(isnan(prev_selected_t)+gt(scene,${number(threshold)}))`].join('*');
    return realtimeOnly({
      plan: { mode: 'sequential', reason: `scene changes need every frame compared with the previous one (threshold ${threshold})`, filter: `select='${select}'`, jobs: 1, decodedFrames: high - low },
      jobs: [{ select, seekSeconds: seekFor(timeline, probe, keyframeAtOrBefore(timeline, low)), mediaSeconds: frameSeconds(low, high - 1) }],
    });
  }

  let wanted: number[] | undefined;
  let why = '';
  if (selection.count !== undefined) {
    const rule = selection.rule ?? 'np_linspace_int';
    let relative: number[];
    try {
      relative = frameIndices(rule, high - low, selection.count);
    } catch (error) {
      throw new UsageError(`${input}: rule ${rule} cannot pick ${selection.count} of ${high - low} frames: ${(error as Error).message}`);
    }
    wanted = relative.map((index) => low + index);
    why = `${selection.count} frames by rule ${rule} over ${high - low} frames`;
  } else if (selection.at !== undefined) {
    for (const time of selection.at) {
      if (time > Math.max(lastPts, probe.duration) + 1e-9) throw new UsageError(`${input}: --at ${time} s is past the end (${probe.duration.toFixed(3)} s)`);
    }
    wanted = [...selection.at].sort((a, b) => a - b).map((time) => frameAtTime(timeline, time));
    why = `${selection.at.length} frames at given times`;
  } else if (selection.fps !== undefined) {
    const fpsStart = selection.start !== undefined ? start! : windowStart;
    const dense = fpsIndices(timeline, selection.fps, fpsStart, end, low, high);
    const clamped = Math.min(selection.maxFrames ?? Number.POSITIVE_INFINITY, Math.max(selection.minFrames ?? 0, dense.length));
    if (clamped !== dense.length) {
      if (clamped > high - low) throw new UsageError(`${input}: min frames ${clamped} is more than the ${high - low} frames in the window`);
      wanted = frameIndices('np_linspace_int', high - low, clamped).map((index) => low + index);
      why = `${selection.fps} fps gives ${dense.length} frames, clamped to ${clamped} (uniform np_linspace_int)`;
    } else {
      const select = fpsExpression(selection.fps, fpsStart, end);
      return realtimeOnly({
        plan: { mode: 'sequential', reason: `dense sampling (${selection.fps} fps): one decode with a select filter`, filter: `select='${select}'`, frames: dense.length, jobs: 1, decodedFrames: (dense[dense.length - 1] ?? low) - keyframeAtOrBefore(timeline, low) + 1 },
        jobs: [{ select, frameLimit: dense.length, expected: dense, seekSeconds: seekFor(timeline, probe, keyframeAtOrBefore(timeline, low)), mediaSeconds: frameSeconds(low, high - 1) }],
      });
    }
  }

  if (wanted === undefined) {
    // Every frame in the window.
    const select = windowExpression(selection.start !== undefined ? windowStart : undefined, end).join('*') || undefined;
    const expected = Array.from({ length: high - low }, (_, offset) => low + offset);
    return realtimeOnly({
      plan: { mode: 'sequential', reason: 'every frame of the window: one sequential decode', ...(select ? { filter: `select='${select}'` } : {}), frames: expected.length, jobs: 1, decodedFrames: high - keyframeAtOrBefore(timeline, low) },
      jobs: [{ select, expected, frameLimit: expected.length, seekSeconds: seekFor(timeline, probe, keyframeAtOrBefore(timeline, low)), mediaSeconds: frameSeconds(low, high - 1) }],
    });
  }

  const multiplicity = new Map<number, number>();
  for (const index of wanted) multiplicity.set(index, (multiplicity.get(index) ?? 0) + 1);
  const unique = [...multiplicity.keys()].sort((a, b) => a - b);
  // Greedy grouping: continue decoding from the previous wanted frame, or seek to the keyframe before the next one.
  const groups: number[][] = [];
  let decoded = 0;
  for (const index of unique) {
    const keyframe = keyframeAtOrBefore(timeline, index);
    const current = groups[groups.length - 1];
    const seekCost = index - keyframe + 1 + seekOverheadFrames;
    if (current && index - current[current.length - 1]! <= seekCost && !selection.realtime) {
      decoded += index - current[current.length - 1]!;
      current.push(index);
    } else if (current && selection.realtime) {
      decoded += index - current[current.length - 1]!;
      current.push(index);
    } else {
      decoded += index - keyframe + 1;
      groups.push([index]);
    }
  }
  const jobs: DecodeJob[] = groups.map((group) => {
    const select = ptsSetExpression(group.map((index) => timeline.ptsUnits[index]!));
    if (select.length > maxExpressionLength) throw new LimitExceededError(input, 'frames selected by index in one decode', group.length, 3000);
    return {
      select,
      expected: group,
      frameLimit: group.length,
      seekSeconds: seekFor(timeline, probe, keyframeAtOrBefore(timeline, group[0]!)),
      mediaSeconds: frameSeconds(keyframeAtOrBefore(timeline, group[0]!), group[group.length - 1]!),
    };
  });
  const sequentialDecoded = unique[unique.length - 1]! - keyframeAtOrBefore(timeline, unique[0]!) + 1;
  const mode = jobs.length === 1 ? 'sequential' : 'seek';
  const reason =
    mode === 'seek'
      ? `${why}: ${jobs.length} keyframe seeks decode ~${decoded} frames instead of ${sequentialDecoded} sequentially`
      : `${why}: one decode of ~${decoded} frames is cheaper than seeking`;
  return realtimeOnly({
    plan: { mode, reason, filter: `select='${jobs[0]!.select}'`, frames: wanted.length, jobs: jobs.length, decodedFrames: decoded },
    jobs,
    multiplicity,
  });
}

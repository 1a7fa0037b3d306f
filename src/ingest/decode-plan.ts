/**
 * @file Chooses how to decode a request. Frames wanted by index are mapped to exact pts through the frame timeline
 * (ffprobe packet list) and selected with `select='eq(pts,P)...'`; runs of wanted frames are grouped into decode jobs
 * greedily: a new job (input-side seek to the previous keyframe) starts when that decodes fewer frames than
 * continuing. One job = a sequential decode; several = keyframe-aware seeking. Dense fps sampling, scenes and
 * windows are one sequential decode; keyframes use `-skip_frame nokey`; live sources read everything in order.
 */
import { UsageError, LimitExceededError } from '../errors/index.js';
import { frameIndices } from '../sampling/frame-indices.js';
import type { FrameTimeline, ProbeResult } from './probe-types.js';
import type { FrameRequest } from './frame-request.js';

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
  /** Distinct source frames the plan delivers (`frames` counts repeats of the papers' rules). */
  distinctFrames?: number;
}

/** What a caller asks for (the selection part of FrameRequest). */
export type FrameSelection = Pick<
  FrameRequest,
  | 'count'
  | 'rule'
  | 'fps'
  | 'minFrames'
  | 'maxFrames'
  | 'at'
  | 'keyframes'
  | 'scenes'
  | 'sceneThreshold'
  | 'start'
  | 'end'
  | 'realtime'
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
  /** Things about the request worth telling the user (e.g. a time before the first frame). */
  readonly notes?: readonly string[];
}

/** Decoding from a keyframe costs about this many frames of work per extra ffmpeg process (spawn, open, seek). */
export const seekOverheadFrames = 12;
/** Most frames one decode job selects by pts (its expression stays well under the argument cap). */
const maxGroupFrames = 2000;
/** Longest select expression we pass on the command line (Linux caps one argument at 128 KiB). */
const maxExpressionLength = 120_000;
export const defaultSceneThreshold = 0.3;

function number(value: number): string {
  return String(value);
}

/** Largest number of frames one request may ask for (count, min/max frames): bounds memory whatever the options. */
export const maxRequestFrames = 100_000;

/**
 * Times are compared with pts at microsecond precision, the precision ffprobe prints `pts_time` with: a time within
 * half a microsecond of a frame's pts counts as that pts (so `--at 0.562311` finds the frame at 0.5623111 s, and
 * 2.44 s is 219600 units of 1/90000 although 2.44 * 90000 is 219599.99999999997 in doubles).
 */
const timeToleranceSeconds = 5e-7;

/** Snapping tolerance (in pts units) when converting a decimal time to the stream's integer pts units. */
function unitTolerance(units: number, timeBase: readonly [number, number]): number {
  return Math.max((timeToleranceSeconds * timeBase[1]) / timeBase[0], Math.abs(units) * 1e-12);
}

/** Seconds in pts units of `timeBase`, not rounded. */
function toUnits(seconds: number, timeBase: readonly [number, number]): number {
  return (seconds * timeBase[1]) / timeBase[0];
}

/** The smallest pts (time-base units) at or after `seconds` (within the microsecond tolerance). */
export function unitsAtOrAfter(seconds: number, timeBase: readonly [number, number]): number {
  const units = toUnits(seconds, timeBase);
  return Math.ceil(units - unitTolerance(units, timeBase));
}

/** The largest pts (time-base units) at or before `seconds` (within the microsecond tolerance). */
export function unitsAtOrBefore(seconds: number, timeBase: readonly [number, number]): number {
  const units = toUnits(seconds, timeBase);
  return Math.floor(units + unitTolerance(units, timeBase));
}

/** Index of the first frame whose pts (units) is >= `units` (the frame count when none). */
function firstAtOrAfter(timeline: FrameTimeline, units: number): number {
  let low = 0;
  let high = timeline.ptsUnits.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (timeline.ptsUnits[middle]! < units) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The select expression for an exact set of pts (in stream time-base units), as a balanced if-tree. */
export function ptsSetExpression(ptsUnits: readonly number[]): string {
  const sorted = [...new Set(ptsUnits)].sort((a, b) => a - b);
  const build = (low: number, high: number): string => {
    if (high - low <= 8)
      return sorted
        .slice(low, high)
        .map((value) => `eq(pts,${value})`)
        .join('+');
    const middle = (low + high) >> 1;
    return `if(lt(pts,${sorted[middle]}),${build(low, middle)},${build(middle, high)})`;
  };
  return sorted.length === 0 ? '0' : build(0, sorted.length);
}

/** The window [startUnits, endUnits) as select terms on the integer pts. */
function windowExpression(startUnits: number | undefined, endUnits: number | undefined): string[] {
  const parts: string[] = [];
  if (startUnits !== undefined) parts.push(`gte(pts,${startUnits})`);
  if (endUnits !== undefined && Number.isFinite(endUnits)) parts.push(`lt(pts,${endUnits})`);
  return parts;
}

/** A frame rate as an exact fraction [p, q] of its decimal digits (29.97 -> [2997, 100]). */
export function rateFraction(fps: number): [number, number] {
  for (let denominator = 1; denominator <= 1_000_000; denominator *= 10) {
    const numerator = Math.round(fps * denominator);
    if (Math.abs(fps * denominator - numerator) < 1e-9 * denominator) return [numerator, denominator];
  }
  return [Math.round(fps * 1_000_000), 1_000_000];
}

/**
 * fps sampling in integer pts units: the interval of a frame at pts `u` is floor((u - S) * A / B) with
 * A = tbNum * p and B = tbDen * q for fps = p/q, exact as long as (u - S) * A stays below 2^52 (both here and in
 * ffmpeg's double arithmetic). A frame is selected when its interval is later than its predecessor's.
 */
export interface FpsIntervals {
  readonly originUnits: number;
  readonly multiplier: number;
  readonly divisor: number;
}

export function fpsIntervals(fps: number, originUnits: number, timeBase: readonly [number, number]): FpsIntervals {
  const [p, q] = rateFraction(fps);
  return { originUnits, multiplier: timeBase[0] * p, divisor: timeBase[1] * q };
}

function intervalOf(intervals: FpsIntervals, units: number): number {
  return Math.floor(((units - intervals.originUnits) * intervals.multiplier) / intervals.divisor);
}

/** Whether ffmpeg's double arithmetic evaluates the intervals of pts in [low, high] exactly. */
function intervalsExact(intervals: FpsIntervals, lowUnits: number, highUnits: number): boolean {
  const span = Math.max(Math.abs(lowUnits - intervals.originUnits), Math.abs(highUnits - intervals.originUnits));
  return span * intervals.multiplier < 2 ** 52 && intervals.divisor < 2 ** 52;
}

/** fps sampling: the first frame of every 1/fps interval counted from the origin, compared in integer pts units. */
export function fpsExpression(intervals: FpsIntervals, startUnits: number, endUnits: number | undefined): string {
  const bucket = (variable: string): string =>
    `floor((${variable}-${intervals.originUnits})*${intervals.multiplier}/${intervals.divisor})`;
  return [
    ...windowExpression(startUnits, endUnits),
    `(isnan(prev_pts)+lt(prev_pts,${startUnits})+gt(${bucket('pts')},${bucket('prev_pts')}))`,
  ].join('*');
}

/** Indices of the frames `fpsExpression` selects, computed from the timeline with the same integer arithmetic. */
export function fpsIndices(timeline: FrameTimeline, intervals: FpsIntervals, first: number, last: number): number[] {
  const selected: number[] = [];
  for (let index = first; index < last; index += 1) {
    const units = timeline.ptsUnits[index]!;
    if (index === first || intervalOf(intervals, units) > intervalOf(intervals, timeline.ptsUnits[index - 1]!))
      selected.push(index);
  }
  return selected;
}

/** Index of the last frame whose pts <= time (-1 when time is before the first frame), compared in pts units. */
export function frameAtTime(timeline: FrameTimeline, time: number): number {
  return firstAtOrAfter(timeline, unitsAtOrBefore(time, timeline.timeBase) + 1) - 1;
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

/** How many frames of the timeline have exactly this pts (1 on a healthy stream). */
function framesAtPtsUnits(timeline: FrameTimeline, units: number): number {
  let count = 0;
  for (
    let index = firstAtOrAfter(timeline, units);
    index < timeline.ptsUnits.length && timeline.ptsUnits[index] === units;
    index += 1
  )
    count += 1;
  return Math.max(1, count);
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
  // Input-side -ss is relative to the container's start, not the video stream's.
  const seconds = timeline.pts[keyframe]! - (probe.containerStartTime ?? probe.startTime ?? 0) + 0.0005;
  return seconds > 0 ? seconds : undefined;
}

/**
 * Checks a request's values before any work (no probe, no ffmpeg): one selection mode, positive finite numbers,
 * frame counts within `maxRequestFrames` (LimitExceededError), min <= max, times >= 0, a non-empty window.
 */
export function validateSelection(input: string, selection: FrameSelection): void {
  const modes = [
    selection.count !== undefined,
    selection.fps !== undefined,
    selection.at !== undefined,
    Boolean(selection.keyframes),
    Boolean(selection.scenes),
  ];
  if (modes.filter(Boolean).length > 1)
    throw new UsageError(`${input}: choose one of count, fps, at, keyframes, scenes`);
  const positive = (name: string, value: number | undefined, integer: boolean): void => {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
      throw new UsageError(`${input}: ${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`);
    }
    if (integer && value > maxRequestFrames) throw new LimitExceededError(input, name, value, maxRequestFrames);
  };
  positive('count', selection.count, true);
  positive('fps', selection.fps, false);
  positive('min frames', selection.minFrames, true);
  positive('max frames', selection.maxFrames, true);
  if (
    selection.minFrames !== undefined &&
    selection.maxFrames !== undefined &&
    selection.minFrames > selection.maxFrames
  ) {
    throw new UsageError(`${input}: min frames ${selection.minFrames} is more than max frames ${selection.maxFrames}`);
  }
  if (selection.fps !== undefined && selection.fps > 1000)
    throw new UsageError(`${input}: fps must be at most 1000, got ${selection.fps}`);
  if (selection.fps !== undefined && selection.fps < 1e-4)
    throw new UsageError(`${input}: fps must be at least 0.0001, got ${selection.fps}`);
  if (selection.sceneThreshold !== undefined && !(selection.sceneThreshold > 0 && selection.sceneThreshold < 1)) {
    throw new UsageError(`${input}: scene threshold must be between 0 and 1, got ${selection.sceneThreshold}`);
  }
  if (selection.at !== undefined) {
    if (selection.at.length === 0) throw new UsageError(`${input}: --at needs at least one time`);
    if (selection.at.length > maxRequestFrames)
      throw new LimitExceededError(input, '--at times', selection.at.length, maxRequestFrames);
    // Times are on the stream's pts timeline, which can start below 0 (edit lists, MPEG-TS after a pts wrap).
    for (const time of selection.at)
      if (typeof time !== 'number' || !Number.isFinite(time))
        throw new UsageError(`${input}: --at times must be finite seconds, got ${time}`);
  }
  if (selection.start !== undefined && (typeof selection.start !== 'number' || !Number.isFinite(selection.start)))
    throw new UsageError(`${input}: start must be finite seconds, got ${selection.start}`);
  if (selection.end !== undefined && (typeof selection.end !== 'number' || Number.isNaN(selection.end)))
    throw new UsageError(`${input}: end must be seconds, got ${selection.end}`);
  if (selection.end !== undefined && !(selection.end > (selection.start ?? 0)))
    throw new UsageError(`${input}: end must be after start`);
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
    plan: {
      mode: 'live',
      reason: 'live source: one process reading in order into a drop-oldest buffer',
      ...(select ? { filter: `select='${select}'` } : {}),
      jobs: 1,
    },
    jobs: [{ select, mediaSeconds: Number.POSITIVE_INFINITY }],
  };
}

/**
 * Plans a file request against its probe and frame timeline. Every comparison of times (window, intervals, --at)
 * is made in the stream's integer pts units; indices count the frames the decoder outputs (edit lists applied).
 */
export function planFile(
  input: string,
  selection: FrameSelection,
  probe: ProbeResult,
  timeline: FrameTimeline,
): ResolvedPlan {
  validateSelection(input, selection);
  const total = timeline.pts.length;
  if (total === 0) throw new UsageError(`${input}: the video stream has no frames`);
  const timeBase = timeline.timeBase;
  const lastPts = timeline.pts[total - 1]!;
  const startUnits = selection.start !== undefined ? unitsAtOrAfter(selection.start, timeBase) : undefined;
  const endUnits = selection.end !== undefined ? unitsAtOrAfter(selection.end, timeBase) : undefined;
  // The window in frame indices: [low, high).
  const low = startUnits !== undefined ? firstAtOrAfter(timeline, startUnits) : 0;
  const high = endUnits !== undefined ? Math.max(low, firstAtOrAfter(timeline, endUnits)) : total;
  if (high <= low)
    throw new UsageError(
      `${input}: the time window ${selection.start ?? 0}..${selection.end ?? lastPts} s holds no frames`,
    );
  const windowStartUnits = timeline.ptsUnits[low]!;
  // Select terms for the window: only needed when a bound is set (the decoder may start before it after a seek).
  const windowStart = startUnits !== undefined ? windowStartUnits : undefined;
  const frameSeconds = (from: number, to: number): number =>
    Math.max(0, timeline.pts[Math.min(to, total - 1)]! - timeline.pts[from]!) + 1;
  const notes: string[] = [];

  const realtimeOnly = (plan: ResolvedPlan): ResolvedPlan => {
    if (!selection.realtime) return plan;
    const job = plan.jobs[0]!;
    const merged: DecodeJob = { ...job, seekSeconds: undefined, mediaSeconds: frameSeconds(0, high - 1) };
    return {
      ...plan,
      plan: { ...plan.plan, mode: 'live', reason: `realtime playback (-re) of a file; ${plan.plan.reason}`, jobs: 1 },
      jobs: [merged],
    };
  };

  if (selection.keyframes) {
    const expected: number[] = [];
    for (let index = low; index < high; index += 1) if (timeline.keyframe[index]) expected.push(index);
    const select = windowExpression(windowStart, endUnits).join('*') || undefined;
    return realtimeOnly({
      plan: {
        mode: 'keyframes',
        reason: 'keyframes requested: the decoder skips every non-keyframe (-skip_frame nokey)',
        ...(select ? { filter: `select='${select}'` } : {}),
        frames: expected.length,
        distinctFrames: expected.length,
        jobs: 1,
        decodedFrames: expected.length,
      },
      jobs: [
        {
          keyframesOnly: true,
          select,
          expected,
          frameLimit: expected.length,
          seekSeconds: seekFor(timeline, probe, keyframeAtOrBefore(timeline, low)),
          mediaSeconds: frameSeconds(low, high - 1),
        },
      ],
    });
  }

  if (selection.scenes) {
    const threshold = selection.sceneThreshold ?? defaultSceneThreshold;
    const select = [
      ...windowExpression(windowStart, endUnits),
      `(isnan(prev_selected_t)+gt(scene,${number(threshold)}))`,
    ].join('*');
    return realtimeOnly({
      plan: {
        mode: 'sequential',
        reason: `scene changes need every frame compared with the previous one (threshold ${threshold})`,
        filter: `select='${select}'`,
        jobs: 1,
        decodedFrames: high - low,
      },
      jobs: [
        {
          select,
          seekSeconds: seekFor(timeline, probe, keyframeAtOrBefore(timeline, low)),
          mediaSeconds: frameSeconds(low, high - 1),
        },
      ],
    });
  }

  let wanted: number[] | undefined;
  let repeat = false;
  let why = '';
  if (selection.count !== undefined) {
    const rule = selection.rule ?? 'np_linspace_int';
    let relative: number[];
    try {
      relative = frameIndices(rule, high - low, selection.count);
    } catch (error) {
      throw new UsageError(
        `${input}: rule ${rule} cannot pick ${selection.count} of ${high - low} frames: ${(error as Error).message}`,
      );
    }
    wanted = relative.map((index) => low + index);
    repeat = true;
    why = `${selection.count} frames by rule ${rule} over ${high - low} frames`;
  } else if (selection.at !== undefined) {
    // The stream ends one frame after its last pts (or at start + duration when the container says more).
    const frameDuration = probe.realFrameRate > 0 ? 1 / probe.realFrameRate : 0;
    const streamEnd = Math.max(lastPts + frameDuration, (probe.startTime ?? 0) + probe.duration);
    const times = [...new Set(selection.at)].sort((a, b) => a - b);
    for (const time of times) {
      if (unitsAtOrBefore(time, timeBase) > unitsAtOrAfter(streamEnd, timeBase))
        throw new UsageError(`${input}: --at ${time} s is past the end of the video (${streamEnd.toFixed(3)} s)`);
    }
    const early = times.filter((time) => frameAtTime(timeline, time) < 0);
    if (early.length > 0) {
      notes.push(
        `--at ${early.join(',')} s is before the first frame (pts ${timeline.pts[0]!.toFixed(6)} s); the first frame is used`,
      );
    }
    wanted = [...new Set(times.map((time) => Math.max(0, frameAtTime(timeline, time))))];
    const merged = selection.at.length - wanted.length;
    why = `${wanted.length} frames at ${selection.at.length} given times${merged > 0 ? ` (${merged} shown the same frame, deduplicated)` : ''}`;
  } else if (selection.fps !== undefined) {
    const originUnits = startUnits ?? windowStartUnits;
    const intervals = fpsIntervals(selection.fps, originUnits, timeBase);
    const dense = fpsIndices(timeline, intervals, low, high);
    const clamped = Math.min(
      selection.maxFrames ?? Number.POSITIVE_INFINITY,
      Math.max(selection.minFrames ?? 0, dense.length),
    );
    if (clamped !== dense.length) {
      if (clamped > high - low)
        throw new UsageError(`${input}: min frames ${clamped} is more than the ${high - low} frames in the window`);
      wanted = frameIndices('np_linspace_int', high - low, clamped).map((index) => low + index);
      why = `${selection.fps} fps gives ${dense.length} frames, clamped to ${clamped} (uniform np_linspace_int)`;
    } else if (intervalsExact(intervals, windowStartUnits, timeline.ptsUnits[high - 1]!)) {
      const select = fpsExpression(intervals, windowStartUnits, endUnits);
      return realtimeOnly({
        plan: {
          mode: 'sequential',
          reason: `dense sampling (${selection.fps} fps): one decode with a select filter on integer pts`,
          filter: `select='${select}'`,
          frames: dense.length,
          distinctFrames: dense.length,
          jobs: 1,
          decodedFrames: (dense[dense.length - 1] ?? low) - keyframeAtOrBefore(timeline, low) + 1,
        },
        jobs: [
          {
            select,
            frameLimit: dense.length,
            expected: dense,
            seekSeconds: seekFor(timeline, probe, keyframeAtOrBefore(timeline, low)),
            mediaSeconds: frameSeconds(low, high - 1),
          },
        ],
      });
    } else {
      // Timestamps too large for exact double arithmetic in ffmpeg: select the computed frames by their pts.
      wanted = dense;
      why = `${selection.fps} fps (${dense.length} frames, selected by exact pts)`;
    }
  }

  if (wanted === undefined) {
    // Every frame in the window.
    const select = windowExpression(windowStart, endUnits).join('*') || undefined;
    const expected = Array.from({ length: high - low }, (_, offset) => low + offset);
    return realtimeOnly({
      plan: {
        mode: 'sequential',
        reason: 'every frame of the window: one sequential decode',
        ...(select ? { filter: `select='${select}'` } : {}),
        frames: expected.length,
        distinctFrames: expected.length,
        jobs: 1,
        decodedFrames: high - keyframeAtOrBefore(timeline, low),
      },
      jobs: [
        {
          select,
          expected,
          frameLimit: expected.length,
          seekSeconds: seekFor(timeline, probe, keyframeAtOrBefore(timeline, low)),
          mediaSeconds: frameSeconds(low, high - 1),
        },
      ],
    });
  }

  const multiplicity = new Map<number, number>();
  for (const index of wanted) multiplicity.set(index, repeat ? (multiplicity.get(index) ?? 0) + 1 : 1);
  const unique = [...multiplicity.keys()].sort((a, b) => a - b);
  const delivered = repeat ? wanted.length : unique.length;
  // Greedy grouping: continue decoding from the previous wanted frame, or seek to the keyframe before the next one.
  const groups: number[][] = [];
  let decoded = 0;
  for (const index of unique) {
    const keyframe = keyframeAtOrBefore(timeline, index);
    const current = groups[groups.length - 1];
    const seekCost = index - keyframe + 1 + seekOverheadFrames;
    // A group is one select expression on the command line: past `maxGroupFrames` the next job continues from the
    // keyframe before its first frame.
    if (
      current &&
      index - current[current.length - 1]! <= seekCost &&
      !selection.realtime &&
      current.length < maxGroupFrames
    ) {
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
    // A pts shared by several frames (damaged streams) selects all of them: let ffmpeg deliver each.
    let frameLimit = 0;
    for (const units of new Set(group.map((index) => timeline.ptsUnits[index]!)))
      frameLimit += framesAtPtsUnits(timeline, units);
    if (select.length > maxExpressionLength)
      throw new LimitExceededError(input, 'frames selected by index in one decode', group.length, 3000);
    return {
      select,
      expected: group,
      frameLimit,
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
    plan: {
      mode,
      reason,
      filter: `select='${jobs[0]!.select}'`,
      frames: delivered,
      distinctFrames: unique.length,
      jobs: jobs.length,
      decodedFrames: decoded,
    },
    jobs,
    multiplicity,
    ...(notes.length > 0 ? { notes } : {}),
  });
}

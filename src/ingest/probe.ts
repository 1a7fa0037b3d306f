/**
 * @file `probe(input)`: one ffprobe run under a deadline summarises the container and the first video stream
 * (size after rotation, SAR/DAR, rotation, stream start and duration, frame rates), the configured limits are
 * checked, then the packet list (`readTimeline`: every packet's pts and keyframe flag, edit-list discards left out)
 * gives the exact frame count the decoder outputs and the keyframe interval.
 */
import { FfmpegError, InputRejectedError, NoVideoStreamError, UnsupportedSourceError } from '../errors/index.js';
import { resolveBinaries } from './binaries.js';
import { crashed, runToCompletion, stderrTail } from './ffmpeg-adapter.js';
import { parseInputVideo } from './ffmpeg-log.js';
import { classifyInput, type InputSource } from './input-source.js';
import { checkLimits, resolveLimits, type IngestLimits } from './limits.js';
import type { FrameTimeline, ProbeResult } from './probe-types.js';

export interface ProbeOptions {
  signal?: AbortSignal;
  limits?: Partial<IngestLimits>;
}

interface FfprobeStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  pix_fmt?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  start_time?: string;
  time_base?: string;
  sample_aspect_ratio?: string;
  display_aspect_ratio?: string;
  nb_frames?: string;
  tags?: Record<string, string>;
  side_data_list?: Array<{ side_data_type?: string; rotation?: number | string }>;
  disposition?: Record<string, number>;
}

interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { format_name?: string; duration?: string; start_time?: string };
  packets?: Array<{ stream_index?: number; pts_time?: string; flags?: string }>;
}

/** Parses an ffprobe rational like `30000/1001` (0 when unknown). */
export function parseRational(text: string | undefined): number {
  if (!text) return 0;
  const [numerator, denominator] = text.split('/').map(Number);
  if (numerator === undefined || !Number.isFinite(numerator)) return 0;
  if (denominator === undefined) return numerator;
  return denominator > 0 && Number.isFinite(denominator) ? numerator / denominator : 0;
}

/**
 * A rotation in degrees with ffprobe's sign convention (the display matrix, counter-clockwise positive) snapped to
 * a quarter turn: 0, 90, -90 or 180.
 */
export function normalizeRotation(counterClockwiseDegrees: number): number {
  if (!Number.isFinite(counterClockwiseDegrees)) return 0;
  const quarter = ((Math.round(counterClockwiseDegrees / 90) % 4) + 4) % 4;
  return [0, 90, 180, -90][quarter]!;
}

/** The display matrix rotation (ffprobe's convention); the legacy `rotate` tag is clockwise, so it is negated. */
function rotationOf(stream: FfprobeStream): number {
  let degrees = 0;
  const tag = stream.tags?.rotate;
  if (tag !== undefined && Number.isFinite(Number(tag))) degrees = -Number(tag);
  for (const side of stream.side_data_list ?? []) {
    if (side.rotation !== undefined && Number.isFinite(Number(side.rotation))) degrees = Number(side.rotation);
  }
  return normalizeRotation(degrees);
}

/** Whether a rotation swaps width and height. */
function isQuarterTurn(rotation: number): boolean {
  return rotation === 90 || rotation === -90;
}

/** Parses `N:M` or `N/M` as a positive integer pair (undefined for 0:1, N/A, malformed). */
export function parseRatio(text: string | undefined): [number, number] | undefined {
  const match = /^(\d+)[:/](\d+)$/.exec(text?.trim() ?? '');
  const numerator = Number(match?.[1]);
  const denominator = Number(match?.[2]);
  return match && numerator > 0 && denominator > 0 ? [numerator, denominator] : undefined;
}

function greatestCommonDivisor(a: number, b: number): number {
  return b === 0 ? a : greatestCommonDivisor(b, a % b);
}

/** The display aspect ratio of a `width` x `height` frame of sample aspect ratio `sar`, reduced. */
export function displayAspectRatio(width: number, height: number, sar: readonly [number, number]): [number, number] {
  const numerator = width * sar[0];
  const denominator = height * sar[1];
  const divisor = greatestCommonDivisor(numerator, denominator) || 1;
  return [numerator / divisor, denominator / divisor];
}

/** Mean seconds between the keyframes of the first 20 s of a timeline (null with fewer than two). */
function keyframeIntervalOf(timeline: FrameTimeline): number | null {
  const first = timeline.pts[0] ?? 0;
  const early: number[] = [];
  for (let index = 0; index < timeline.pts.length && timeline.pts[index]! - first <= 20; index += 1) {
    if (timeline.keyframe[index]) early.push(timeline.pts[index]!);
  }
  return early.length >= 2 ? (early[early.length - 1]! - early[0]!) / (early.length - 1) : null;
}

/** Seconds the frames of a timeline span: last pts - first pts + one frame (the last gap or 1/rate). */
function timelineSpan(timeline: FrameTimeline, rate: number): number {
  const count = timeline.pts.length;
  if (count === 0) return 0;
  const lastGap = count >= 2 ? timeline.pts[count - 1]! - timeline.pts[count - 2]! : 0;
  const frame = rate > 0 ? 1 / rate : lastGap;
  return timeline.pts[count - 1]! - timeline.pts[0]! + frame;
}

/** Maps an ffprobe failure on `source` to a typed error. */
export function probeFailure(source: InputSource, stderr: string): Error {
  const tail = stderrTail(stderr, 4);
  const lastLine = tail.split('\n').pop() ?? '';
  const clean = lastLine
    .replace(/^.*?:\s*/, '')
    .replace(/^file:/, '')
    .trim();
  if (source.kind !== 'file')
    return new FfmpegError(source.input, `cannot open the stream: ${clean || 'ffprobe failed'}`, tail);
  if (/moov atom not found/i.test(stderr))
    return new InputRejectedError(source.input, 'is truncated or incomplete (no moov index: moov atom not found)');
  if (/Invalid data found when processing input/i.test(stderr))
    return new InputRejectedError(source.input, 'is not a video ffmpeg can read (invalid data)');
  return new InputRejectedError(source.input, `cannot be read as media: ${clean || 'ffprobe failed'}`);
}

/** Runs ffprobe with the source's whitelist; returns stdout or throws the mapped error. */
async function runFfprobe(
  source: InputSource,
  args: readonly string[],
  options: { signal?: AbortSignal; deadlineMs: number; operation: string },
): Promise<string> {
  const { ffprobe } = await resolveBinaries();
  const result = await runToCompletion(
    ffprobe.path,
    ['-hide_banner', '-v', 'error', '-protocol_whitelist', source.protocolWhitelist, ...args, source.ffmpegInput],
    { operation: options.operation, input: source.input, deadlineMs: options.deadlineMs, signal: options.signal },
  );
  if (crashed(result.exitCode))
    throw new FfprobeCrashedError(source.input, `ffprobe crashed (exit ${result.exitCode})`, stderrTail(result.stderr));
  if (result.exitCode !== 0) throw probeFailure(source, result.stderr);
  return result.stdout;
}

/** ffprobe died by a signal; callers fall back to ffmpeg. */
class FfprobeCrashedError extends FfmpegError {}

/** A probe together with the frame timeline it was counted from. */
export interface ProbedFile {
  readonly probe: ProbeResult;
  readonly timeline: FrameTimeline;
}

/** Builds a timeline from packets in any order; discarded (edit-list pre-roll) packets are counted, not listed. */
function timelineFromPackets(
  entries: Array<{ units: number; key: boolean }>,
  timeBase: [number, number],
  packetsWithoutPts: number,
  discardedPackets: number,
): FrameTimeline {
  entries.sort((a, b) => a.units - b.units);
  const seconds = timeBase[0] / timeBase[1];
  return {
    ptsUnits: entries.map((entry) => entry.units),
    pts: entries.map((entry) => entry.units * seconds),
    keyframe: entries.map((entry) => entry.key),
    timeBase,
    packetsWithoutPts,
    discardedPackets,
  };
}

/** The frame count, start and keyframe interval of a probe, taken from its timeline. */
function withTimeline(result: ProbeResult, timeline: FrameTimeline): ProbeResult {
  const rate = result.realFrameRate || result.avgFrameRate;
  const startTime = timeline.pts[0] ?? result.startTime ?? 0;
  return {
    ...result,
    frameCount: timeline.pts.length,
    frameCountExact: timeline.pts.length > 0,
    keyframeInterval: keyframeIntervalOf(timeline),
    startTime,
    duration: result.duration > 0 ? result.duration : timelineSpan(timeline, rate),
    timeBase: timeline.timeBase,
  };
}

/** probeSource for a file when ffprobe crashes: ffmpeg's input log plus a packet timeline from ffmpeg. */
async function probeFileWithoutFfprobe(
  source: InputSource,
  limits: IngestLimits,
  signal: AbortSignal | undefined,
): Promise<ProbedFile> {
  const result = await probeFromFfmpegLog(source, limits, signal);
  const timeline = await readTimelineWithFfmpeg(source, { signal, deadlineMs: limits.probeTimeoutMs * 4 });
  // ffmpeg's log has no stream duration: the frames' span is the stream's duration.
  const probed = withTimeline({ ...result, duration: 0 }, timeline);
  return { probe: probed, timeline };
}

/**
 * The frame timeline from ffmpeg instead of ffprobe: a stream copy of the video into the `framecrc` muxer prints
 * every packet's pts (in the `#tb` time base) and flags (`F=0x..`: bit 1 keyframe, bit 4 discard).
 */
async function readTimelineWithFfmpeg(
  source: InputSource,
  options: { signal?: AbortSignal; deadlineMs: number },
): Promise<FrameTimeline> {
  const { ffmpeg } = await resolveBinaries();
  const result = await runToCompletion(
    ffmpeg.path,
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-protocol_whitelist',
      source.protocolWhitelist,
      '-i',
      source.ffmpegInput,
      '-map',
      '0:v:0',
      '-c',
      'copy',
      '-copyts',
      '-f',
      'framecrc',
      '-',
    ],
    {
      operation: `list frames of ${source.input}`,
      input: source.input,
      deadlineMs: options.deadlineMs,
      signal: options.signal,
    },
  );
  if (result.exitCode !== 0) throw probeFailure(source, result.stderr);
  let timeBase: [number, number] = [1, 1];
  const entries: Array<{ units: number; key: boolean }> = [];
  let packetsWithoutPts = 0;
  let discardedPackets = 0;
  for (const line of result.stdout.split('\n')) {
    if (line.startsWith('#tb 0:')) {
      const [numerator, denominator] = line.slice(6).trim().split('/').map(Number);
      if (numerator && denominator) timeBase = [numerator, denominator];
      continue;
    }
    if (!/^0,/.test(line)) continue;
    const fields = line.split(',').map((field) => field.trim());
    const units = Number(fields[2]);
    if (!Number.isFinite(units)) {
      packetsWithoutPts += 1;
      continue;
    }
    const flagsField = fields.find((field) => field.startsWith('F='));
    const flags = flagsField === undefined ? 1 : Number.parseInt(flagsField.slice(2), 16);
    if ((flags & 4) !== 0) {
      discardedPackets += 1;
      continue;
    }
    entries.push({ units, key: (flags & 1) === 1 });
  }
  return timelineFromPackets(entries, timeBase, packetsWithoutPts, discardedPackets);
}

/**
 * Probes a source with `ffmpeg -i URL` (no output) and reads the input description from its log. Used for live URLs
 * (one opening is all a live source needs) and as the fallback when ffprobe crashes: the static ffprobe of
 * `@ffprobe-installer/linux-x64` 5.2.0 segfaults on MPEG-TS and on http input, while its ffmpeg works.
 */
async function probeFromFfmpegLog(
  source: InputSource,
  limits: IngestLimits,
  signal: AbortSignal | undefined,
): Promise<ProbeResult> {
  const { ffmpeg } = await resolveBinaries();
  const result = await runToCompletion(
    ffmpeg.path,
    ['-hide_banner', '-nostdin', '-protocol_whitelist', source.protocolWhitelist, '-i', source.ffmpegInput],
    {
      operation: `probe ${source.input}`,
      input: source.input,
      deadlineMs: limits.probeTimeoutMs,
      signal,
    },
  );
  const log = result.stderr;
  const container = /^Input #0, (.+), from '/m.exec(log)?.[1];
  const blocked = /Protocol '([^']+)' not on whitelist/.exec(log);
  if (blocked)
    throw new UnsupportedSourceError(
      source.input,
      `refers to protocol '${blocked[1]}', which is not allowed for this source (whitelist ${source.protocolWhitelist})`,
    );
  if (!container) {
    const reason = stderrTail(log, 1)
      .replace(/^\[[^\]]*\]\s*/, '')
      .replace(source.ffmpegInput, '')
      .replace(/^:\s*/, '');
    throw new FfmpegError(source.input, `cannot open the stream: ${reason || 'ffmpeg failed'}`, stderrTail(log));
  }
  const videoLine = log.split('\n').find((line) => /^\s*Stream #0:\d+.*: Video:/.test(line));
  const hasAudio = /^\s*Stream #0:\d+.*: Audio:/m.test(log);
  if (!videoLine) {
    if (hasAudio) throw new NoVideoStreamError(source.input, 'has no video stream (audio only)');
    throw new InputRejectedError(source.input, `is not a video (read as ${container})`);
  }
  const description = parseInputVideo(videoLine);
  if (!description) throw new InputRejectedError(source.input, 'video stream has no frame size');
  const duration = /Duration: (\d+):(\d+):([\d.]+)/.exec(log);
  const seconds = duration ? Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]) : 0;
  const rotateTag = /^\s*rotate\s*:\s*(-?\d+)/m.exec(log);
  const matrix = /rotation of (-?[\d.]+) degrees/.exec(log);
  const rotation = normalizeRotation(matrix ? Number(matrix[1]) : rotateTag ? -Number(rotateTag[1]) : 0);
  const swap = isQuarterTurn(rotation);
  const width = swap ? description.height : description.width;
  const height = swap ? description.width : description.height;
  checkLimits(source.input, { width, height, duration: seconds, isLive: source.isLive }, limits);
  const start = /Duration: [^,]*, start: (-?[\d.]+)/.exec(log);
  const sampleAspectRatio = parseRatio(/\[SAR (\d+:\d+) DAR/.exec(videoLine)?.[1]) ?? [1, 1];
  return {
    input: source.input,
    container,
    codec: description.codec,
    pixelFormat: description.pixelFormat,
    duration: seconds,
    avgFrameRate: description.frameRate,
    realFrameRate: description.frameRate,
    width,
    height,
    rotation,
    frameCount: seconds > 0 && description.frameRate > 0 ? Math.round(seconds * description.frameRate) : 0,
    frameCountExact: false,
    keyframeInterval: null,
    hasAudio,
    isLive: source.isLive,
    codedWidth: description.width,
    codedHeight: description.height,
    ...(start ? { startTime: Number(start[1]), containerStartTime: Number(start[1]) } : {}),
    ...(seconds > 0 ? { containerDuration: seconds } : {}),
    sampleAspectRatio,
    displayAspectRatio: displayAspectRatio(description.width, description.height, sampleAspectRatio),
  };
}

/** Probes an already classified source (see `probe`). */
export async function probeSource(source: InputSource, options: ProbeOptions = {}): Promise<ProbeResult> {
  if (source.kind === 'stdin') {
    throw new UnsupportedSourceError(
      source.input,
      'stdin cannot be probed on its own: its stream is described while its frames are decoded',
    );
  }
  const limits = resolveLimits(options.limits);
  if (source.isLive) return probeFromFfmpegLog(source, limits, options.signal);
  return (await probeFile(source, options)).probe;
}

/**
 * Probes a file and reads its frame timeline: the summary from ffprobe's stream and format sections, the limits
 * checked before any packet is counted, then the packet list (demux only) gives the exact frame count.
 */
export async function probeFile(source: InputSource, options: ProbeOptions = {}): Promise<ProbedFile> {
  const limits = resolveLimits(options.limits);
  const runOptions = { signal: options.signal, deadlineMs: limits.probeTimeoutMs, operation: `probe ${source.input}` };
  let stdout: string;
  try {
    stdout = await runFfprobe(source, ['-show_format', '-show_streams', '-of', 'json'], runOptions);
  } catch (error) {
    if (!(error instanceof FfprobeCrashedError)) throw error;
    return probeFileWithoutFfprobe(source, limits, options.signal);
  }
  let parsed: FfprobeOutput;
  try {
    parsed = JSON.parse(stdout) as FfprobeOutput;
  } catch {
    throw new InputRejectedError(source.input, 'ffprobe returned unreadable output');
  }
  const streams = parsed.streams ?? [];
  const video = streams.find((stream) => stream.codec_type === 'video' && !stream.disposition?.attached_pic);
  if (!video) {
    if (streams.some((stream) => stream.codec_type === 'audio'))
      throw new NoVideoStreamError(source.input, 'has no video stream (audio only)');
    // Random bytes are sometimes "detected" as a text format (lrc, tty): no audio and no video means not media.
    const kinds = [...new Set(streams.map((stream) => stream.codec_type ?? 'unknown'))].join('/') || 'no';
    throw new InputRejectedError(
      source.input,
      `is not a video (${kinds} streams, read as ${parsed.format?.format_name ?? 'unknown format'})`,
    );
  }
  const codedWidth = video.width ?? 0;
  const codedHeight = video.height ?? 0;
  if (codedWidth <= 0 || codedHeight <= 0)
    throw new InputRejectedError(source.input, 'video stream has no frame size (corrupt header)');
  const rotation = rotationOf(video);
  const swap = isQuarterTurn(rotation);
  const width = swap ? codedHeight : codedWidth;
  const height = swap ? codedWidth : codedHeight;
  const avgFrameRate = parseRational(video.avg_frame_rate);
  const realFrameRate = parseRational(video.r_frame_rate);
  const formatDuration = Number(parsed.format?.duration);
  const streamDuration = Number(video.duration);
  const containerStartTime = Number(parsed.format?.start_time);
  const streamStartTime = Number(video.start_time);
  const sampleAspectRatio = parseRatio(video.sample_aspect_ratio) ?? [1, 1];

  // Limits first: never count packets of a file we are going to reject.
  const longest = Math.max(
    Number.isFinite(formatDuration) ? formatDuration : 0,
    Number.isFinite(streamDuration) ? streamDuration : 0,
  );
  checkLimits(source.input, { width, height, duration: longest, isLive: source.isLive }, limits);

  const summary: ProbeResult = {
    input: source.input,
    container: parsed.format?.format_name ?? 'unknown',
    codec: video.codec_name ?? 'unknown',
    pixelFormat: video.pix_fmt ?? 'unknown',
    duration: Number.isFinite(streamDuration) && streamDuration > 0 ? streamDuration : 0,
    avgFrameRate,
    realFrameRate,
    width,
    height,
    rotation,
    frameCount: 0,
    frameCountExact: false,
    keyframeInterval: null,
    hasAudio: streams.some((stream) => stream.codec_type === 'audio'),
    isLive: source.isLive,
    startTime: Number.isFinite(streamStartTime)
      ? streamStartTime
      : Number.isFinite(containerStartTime)
        ? containerStartTime
        : 0,
    containerStartTime: Number.isFinite(containerStartTime) ? containerStartTime : 0,
    ...(Number.isFinite(formatDuration) && formatDuration > 0 ? { containerDuration: formatDuration } : {}),
    codedWidth,
    codedHeight,
    sampleAspectRatio,
    displayAspectRatio: displayAspectRatio(codedWidth, codedHeight, sampleAspectRatio),
  };
  const timeline = await readTimeline(source, { signal: options.signal, deadlineMs: limits.probeTimeoutMs * 4 });
  if (timeline.pts.length === 0) {
    // No packet with a timestamp: fall back to the container's numbers, flagged as an estimate.
    const rate = avgFrameRate || realFrameRate;
    const duration = summary.duration || (Number.isFinite(formatDuration) ? formatDuration : 0);
    return {
      probe: { ...summary, duration, frameCount: duration > 0 && rate > 0 ? Math.round(duration * rate) : 0 },
      timeline,
    };
  }
  return { probe: withTimeline(summary, timeline), timeline };
}

/**
 * Probes `input` (a file path or an allowed URL) under the probe deadline and checks the limits. Throws typed
 * errors: InputNotFoundError, InputRejectedError, NoVideoStreamError, UnsupportedSourceError, LimitExceededError,
 * DeadlineExceededError, AbortedError, FfmpegError.
 */
export async function probe(input: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  return probeSource(await classifyInput(input), options);
}

/**
 * Lists the video packets the decoder will output, in presentation order: pts and keyframe flag (demux only, no
 * decoding). Packets the demuxer marks as discarded (edit-list pre-roll, flag `D`) are counted but not listed.
 */
export async function readTimeline(
  source: InputSource,
  options: { signal?: AbortSignal; deadlineMs: number },
): Promise<FrameTimeline> {
  let stdout: string;
  try {
    stdout = await runFfprobe(
      source,
      ['-select_streams', 'v:0', '-show_entries', 'stream=time_base:packet=pts,flags', '-of', 'csv=p=1'],
      { ...options, operation: `list frames of ${source.input}` },
    );
  } catch (error) {
    if (!(error instanceof FfprobeCrashedError)) throw error;
    return readTimelineWithFfmpeg(source, options);
  }
  let timeBase: [number, number] = [1, 1];
  const entries: Array<{ units: number; key: boolean }> = [];
  let packetsWithoutPts = 0;
  let discardedPackets = 0;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('packet,')) {
      const [, ptsText, flags] = line.split(',');
      const units = Number(ptsText);
      if (ptsText === 'N/A' || !Number.isFinite(units)) {
        packetsWithoutPts += 1;
        continue;
      }
      // ffprobe's flags: K (keyframe) or _, then D (discard) or _, then C (corrupt) or _.
      if ((flags ?? '').charAt(1) === 'D') {
        discardedPackets += 1;
        continue;
      }
      entries.push({ units, key: (flags ?? '').startsWith('K') });
    } else if (line.startsWith('stream,')) {
      const [numerator, denominator] = (line.split(',')[1] ?? '').split('/').map(Number);
      if (numerator && denominator) timeBase = [numerator, denominator];
    }
  }
  return timelineFromPackets(entries, timeBase, packetsWithoutPts, discardedPackets);
}

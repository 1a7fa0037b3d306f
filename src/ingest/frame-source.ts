/**
 * @file `openFrames(input, request)`: a FrameSource is an async iterable of VideoFrames (RGB24, real pts, source
 * index) plus its probe, its decode plan, warnings and the drop count. Files are read with backpressure (ffmpeg
 * waits for a slow consumer); live sources and `realtime` playback go through a drop-oldest buffer instead.
 */
import type { VideoFrame } from '../core/frame.js';
import { AbortedError, FfmpegError, InputRejectedError, UnsupportedSourceError, UsageError } from '../errors/index.js';
import { ffmpegForCodec, resolveBinaries } from './binaries.js';
import {
  frameAtPtsUnits,
  planFile,
  planLive,
  ptsSetExpression,
  validateSelection,
  type DecodeJob,
  type DecodePlan,
  type ResolvedPlan,
} from './decode-plan.js';
import { startDecodeJob, type DecodedFrame, type RunningJob } from './decode-job.js';
import type { IngestWarning, InputVideoDescription } from './ffmpeg-log.js';
import { classifyInput, type InputSource } from './input-source.js';
import { checkLimits, decodeDeadlineMs, resolveLimits, type IngestLimits } from './limits.js';
import { DropOldestBuffer } from './live-buffer.js';
import { probeFile, probeSource } from './probe.js';
import type { FrameTimeline, ProbeResult } from './probe-types.js';

export type { FrameRequest } from './frame-request.js';
import type { FrameRequest } from './frame-request.js';

export interface FrameSource extends AsyncIterable<VideoFrame> {
  readonly input: string;
  probe(): Promise<ProbeResult>;
  plan(): Promise<DecodePlan>;
  readonly warnings: readonly IngestWarning[];
  readonly dropped: number;
  /** Frames decoded but not yet taken by the consumer (bounded by bufferFrames for live sources). */
  readonly buffered: number;
  /**
   * Distinct wanted frames of a file that could not be decoded (damaged streams): after iteration, a result with
   * `missing > 0` is partial. (When no wanted frame decodes at all, iteration throws FfmpegError instead.)
   */
  readonly missing: number;
  /** Stops decoding and kills ffmpeg; iteration ends. */
  close(): Promise<void>;
}

const maxStoredWarnings = 500;
/** Largest drop-oldest buffer for live sources (frames), so memory stays bounded. */
const maxBufferFrames = 10_000;
const fileHighWater = 4;
/** Seek jobs with at most this many frames are decoded one ahead of the consumer. */
const prefetchMaxFrames = 16;

interface Prepared {
  readonly source: InputSource;
  readonly probe?: ProbeResult;
  readonly timeline?: FrameTimeline;
  readonly resolved: ResolvedPlan;
}

class DecodingFrameSource implements FrameSource {
  readonly warnings: IngestWarning[] = [];
  private droppedCount = 0;
  private missingCount = 0;
  private preparing: Promise<Prepared> | undefined;
  private readonly limits: IngestLimits;
  private readonly closer = new AbortController();
  private readonly signal: AbortSignal;
  private running: RunningJob | undefined;
  private liveDescription: InputVideoDescription | undefined;
  private liveProbe: Promise<ProbeResult> | undefined;
  private iterated = false;

  constructor(
    readonly input: string,
    private readonly request: FrameRequest,
  ) {
    this.limits = resolveLimits(request.limits);
    this.signal = request.signal ? AbortSignal.any([request.signal, this.closer.signal]) : this.closer.signal;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  get missing(): number {
    return this.missingCount;
  }

  get buffered(): number {
    return this.bufferedCount();
  }

  private bufferedCount: () => number = () => 0;

  private prepare(): Promise<Prepared> {
    this.preparing ??= (async () => {
      // Option values first: a bad request fails before any file is opened or ffmpeg started.
      validateSelection(this.input, this.request);
      if (
        this.request.bufferFrames !== undefined &&
        !(
          Number.isInteger(this.request.bufferFrames) &&
          this.request.bufferFrames >= 1 &&
          this.request.bufferFrames <= maxBufferFrames
        )
      ) {
        throw new UsageError(
          `${this.input}: buffer frames must be an integer in 1..${maxBufferFrames}, got ${this.request.bufferFrames}`,
        );
      }
      const source = await classifyInput(this.input);
      if (source.isLive) {
        // Live sources are described by the decoder's own log (limits are checked there): a separate probe would
        // cost a second connection and several seconds of stream analysis, and stdin can only be read once.
        if (this.request.realtime) throw new UsageError(`${this.input}: --realtime applies to files only`);
        return { source, resolved: planLive(this.input, this.request) };
      }
      const { probe, timeline } = await probeFile(source, { signal: this.signal, limits: this.limits });
      if (timeline.pts.length === 0) throw new InputRejectedError(this.input, 'has no readable video frames');
      const resolved = planFile(this.input, this.request, probe, timeline);
      for (const note of resolved.notes ?? []) this.warn({ input: this.input, kind: 'other', message: note });
      return { source, probe, timeline, resolved };
    })();
    return this.preparing;
  }

  async probe(): Promise<ProbeResult> {
    const prepared = await this.prepare();
    if (prepared.probe) return prepared.probe;
    const description = this.liveDescription;
    if (!description) {
      if (prepared.source.kind === 'stdin')
        throw new UsageError(`${this.input}: stdin is probed from its first bytes; iterate the source first`);
      this.liveProbe ??= probeSource(prepared.source, { signal: this.signal, limits: this.limits });
      return this.liveProbe;
    }
    return {
      input: this.input,
      container: prepared.source.kind === 'stdin' ? 'pipe' : prepared.source.kind,
      codec: description.codec,
      pixelFormat: description.pixelFormat,
      duration: 0,
      avgFrameRate: description.frameRate,
      realFrameRate: description.frameRate,
      width: description.width,
      height: description.height,
      rotation: 0,
      frameCount: 0,
      frameCountExact: false,
      keyframeInterval: null,
      hasAudio: false,
      isLive: true,
    };
  }

  async plan(): Promise<DecodePlan> {
    return (await this.prepare()).resolved.plan;
  }

  async close(): Promise<void> {
    this.closer.abort();
    await this.running?.kill();
  }

  private warn(warning: IngestWarning): void {
    if (this.warnings.length < maxStoredWarnings) this.warnings.push(warning);
    this.request.onWarning?.(warning);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<VideoFrame> {
    if (this.iterated) throw new UsageError(`${this.input}: a FrameSource can be iterated once; open a new one`);
    this.iterated = true;
    const prepared = await this.prepare();
    // The newest ffmpeg that decodes this codec (see binaries.ts); the default one for live sources probed later.
    const ffmpeg = prepared.probe ? await ffmpegForCodec(prepared.probe.codec) : (await resolveBinaries()).ffmpeg;
    const live = prepared.source.isLive || Boolean(this.request.realtime);
    const jobs = [...prepared.resolved.jobs];
    // Seek plans run many short ffmpeg processes: decode the next small job while the current one is consumed
    // (two processes at a time; each seek is mostly single-threaded work).
    const iteration = new AbortController();
    const signal = AbortSignal.any([this.signal, iteration.signal]);
    const prefetched = new Map<number, Promise<VideoFrame[]>>();
    const prefetchable = (index: number): boolean =>
      !live && jobs.length > 1 && (jobs[index]?.expected?.length ?? Infinity) <= prefetchMaxFrames;
    const collect = async (job: DecodeJob): Promise<VideoFrame[]> => {
      const frames: VideoFrame[] = [];
      for await (const frame of this.runJob(job, prepared, ffmpeg.path, live, false, signal)) frames.push(frame);
      return frames;
    };
    // Every source index is delivered at most once (plus the repeats of the papers' rules): a damaged stream can
    // decode two frames that map to the same index, or frames that were not asked for.
    const delivered = new Set<number>();
    let unwanted = 0;
    let wantedTotal = 0;
    for (const job of jobs) wantedTotal += job.expected?.length ?? 0;
    try {
      for (let jobIndex = 0; jobIndex < jobs.length; jobIndex += 1) {
        const job = jobs[jobIndex]!;
        if (prefetchable(jobIndex + 1) && !prefetched.has(jobIndex + 1)) {
          const promise = collect(jobs[jobIndex + 1]!);
          promise.catch(() => undefined);
          prefetched.set(jobIndex + 1, promise);
        }
        const ready = prefetched.get(jobIndex);
        prefetched.delete(jobIndex);
        const frames: AsyncIterable<VideoFrame> | VideoFrame[] = ready
          ? await ready
          : this.runJob(job, prepared, ffmpeg.path, live, jobs.length === 1, signal);
        const seen = new Set<number>();
        const wantedHere = !live && job.expected ? new Set(job.expected) : undefined;
        for await (const decoded of frames) {
          let frame = decoded;
          const timeline = prepared.timeline;
          if (!live && timeline) {
            // Two packets with one pts (a damaged or duplicated stream): the second decoded frame is the next entry.
            let index = frame.index;
            const taken = (candidate: number): boolean =>
              delivered.has(candidate) || (wantedHere !== undefined && !wantedHere.has(candidate));
            while (taken(index) && timeline.ptsUnits[index + 1] === timeline.ptsUnits[index]) index += 1;
            if (index !== frame.index) frame = { ...frame, index };
          }
          if (!live && (delivered.has(frame.index) || (wantedHere !== undefined && !wantedHere.has(frame.index)))) {
            unwanted += 1;
            if (unwanted === 1)
              this.warn({
                input: this.input,
                kind: 'corrupt-data',
                message: `the decoder output a frame (pts ${frame.pts.toFixed(6)} s, index ${frame.index}) that was not asked for or already delivered; it was left out`,
              });
            continue;
          }
          if (!live) delivered.add(frame.index);
          seen.add(frame.index);
          const copies = prepared.resolved.multiplicity?.get(frame.index) ?? 1;
          for (let copy = 0; copy < copies; copy += 1) yield frame;
        }
        // Live/realtime sources drop frames on purpose (counted in `dropped`), so only files check for missing ones.
        const missing = live ? [] : (job.expected ?? []).filter((index) => !seen.has(index));
        if (missing.length > 0 && job.seekSeconds !== undefined && !job.retry && prepared.timeline) {
          // A seek landed after a wanted frame (unusual GOP structure): retry those frames from 10 s further back.
          this.warn({
            input: this.input,
            kind: 'other',
            message: `seek missed ${missing.length} frame(s); retrying from further back`,
          });
          const seekSeconds = job.seekSeconds > 10 ? job.seekSeconds - 10 : undefined;
          const retry: DecodeJob = {
            select: ptsSetExpression(missing.map((index) => prepared.timeline!.ptsUnits[index]!)),
            expected: missing,
            frameLimit: missing.length,
            ...(seekSeconds !== undefined ? { seekSeconds } : {}),
            mediaSeconds: job.mediaSeconds + 10,
            retry: true,
          };
          // Keep prefetched results aligned with their jobs.
          const shifted = [...prefetched.entries()];
          prefetched.clear();
          for (const [index, promise] of shifted) prefetched.set(index + 1, promise);
          jobs.splice(jobIndex + 1, 0, retry);
        } else if (missing.length > 0) {
          this.missingCount += missing.length;
          this.warn({
            input: this.input,
            kind: 'missing-frames',
            message: `${missing.length} wanted frame(s) could not be decoded (first: index ${missing[0]})`,
          });
        }
      }
      if (unwanted > 1)
        this.warn({
          input: this.input,
          kind: 'corrupt-data',
          message: `${unwanted} decoded frames in total were left out (duplicates or not asked for)`,
        });
      if (!live && delivered.size === 0 && (wantedTotal > 0 || prepared.resolved.plan.mode !== 'keyframes')) {
        throw new FfmpegError(
          this.input,
          `no frame could be decoded${wantedTotal > 0 ? ` (${wantedTotal} wanted)` : ''}`,
          this.warnings
            .slice(-3)
            .map((warning) => warning.message)
            .join('\n'),
        );
      }
    } finally {
      iteration.abort();
      await Promise.allSettled(prefetched.values());
    }
  }

  /** Runs one job and yields its frames (backpressure for files, drop-oldest for live). */
  private async *runJob(
    job: DecodeJob,
    prepared: Prepared,
    ffmpegPath: string,
    live: boolean,
    onlyJob: boolean,
    signal: AbortSignal,
  ): AsyncGenerator<VideoFrame> {
    if (signal.aborted) throw new AbortedError(`decode ${this.input}`);
    const timeline = prepared.timeline;
    const toFrame = (decoded: DecodedFrame): VideoFrame => {
      if (timeline) {
        const index = frameAtPtsUnits(timeline, decoded.ptsUnits);
        const exact = timeline.ptsUnits[index] === decoded.ptsUnits;
        const seconds = timeline.timeBase[0] / timeline.timeBase[1];
        return {
          data: decoded.data,
          width: decoded.width,
          height: decoded.height,
          index,
          pts: exact ? timeline.pts[index]! : decoded.ptsUnits * seconds,
        };
      }
      return {
        data: decoded.data,
        width: decoded.width,
        height: decoded.height,
        index: decoded.decodedNumber,
        pts: decoded.ptsTime,
      };
    };

    const queue: VideoFrame[] = [];
    const liveBuffer = live
      ? new DropOldestBuffer<VideoFrame>(this.request.bufferFrames ?? 8, () => {
          this.droppedCount += 1;
          this.request.onDrop?.(this.droppedCount);
        })
      : undefined;
    this.bufferedCount = () => (liveBuffer ? liveBuffer.size : queue.length);
    let wake: (() => void) | undefined;
    const notify = (): void => {
      const resolve = wake;
      wake = undefined;
      resolve?.();
    };
    let paused = false;
    const running = startDecodeJob(
      job,
      {
        ffmpegPath,
        source: prepared.source,
        size: this.request.size,
        resize: this.request.resize,
        realtime: this.request.realtime,
        maxPixels: this.limits.maxPixels,
        deadlineMs:
          live && prepared.source.isLive
            ? undefined
            : decodeDeadlineMs(this.limits, job.mediaSeconds, Boolean(this.request.realtime)),
        signal,
        countSourceFrames: !timeline,
        stdin: this.request.stdin,
      },
      {
        onFrame: (decoded) => {
          const frame = toFrame(decoded);
          if (liveBuffer) liveBuffer.push(frame);
          else {
            queue.push(frame);
            if (queue.length >= fileHighWater && !paused) {
              paused = true;
              running.pause();
            }
          }
          notify();
        },
        onWarning: (warning) => this.warn(warning),
        onInputVideo: (description) => {
          this.liveDescription = description;
          if (!prepared.probe) {
            try {
              checkLimits(
                this.input,
                { width: description.width, height: description.height, duration: 0, isLive: true },
                this.limits,
              );
            } catch (error) {
              limitFailure = error;
              void running.kill();
            }
          }
        },
      },
    );
    this.running = running;
    let finished = false;
    let failure: unknown;
    let limitFailure: unknown;
    let summary: Awaited<RunningJob['done']> | undefined;
    running.done.then(
      (result) => {
        summary = result;
        finished = true;
        notify();
      },
      (error: unknown) => {
        failure = error;
        finished = true;
        notify();
      },
    );
    try {
      for (;;) {
        const next = liveBuffer ? liveBuffer.shift() : queue.shift();
        if (next) {
          if (paused && queue.length <= 1) {
            paused = false;
            running.resume();
          }
          yield next;
          continue;
        }
        if (finished) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      if (limitFailure) throw limitFailure;
      if (failure) {
        if (this.closer.signal.aborted && !this.request.signal?.aborted) return;
        throw failure;
      }
      if (summary && summary.exitCode !== 0) {
        const detail =
          summary.stderrTail
            .split('\n')
            .pop()
            ?.replace(/^\[[^\]]*\]\s*/, '') ?? '';
        if (summary.blockedProtocol) {
          throw new UnsupportedSourceError(
            this.input,
            `refers to protocol '${summary.blockedProtocol}', which is not allowed for this source (whitelist ${prepared.source.protocolWhitelist})`,
          );
        }
        if (summary.frames === 0 && onlyJob) {
          // The file probed as video, so nothing decoding is a decode failure (exit 6), like a clean exit with no frame.
          if (prepared.source.kind === 'file')
            throw new FfmpegError(
              this.input,
              `no frame could be decoded (ffmpeg exited with code ${summary.exitCode}: ${detail})`,
              summary.stderrTail,
            );
          if (prepared.source.kind === 'stdin')
            throw new FfmpegError(
              this.input,
              `no video could be read from stdin (empty, or not a stream ffmpeg recognizes: ${detail})`,
              summary.stderrTail,
            );
          throw new FfmpegError(
            this.input,
            `ffmpeg exited with code ${summary.exitCode}: ${detail}`,
            summary.stderrTail,
          );
        }
        this.warn({
          input: this.input,
          kind: 'truncated',
          message: `ffmpeg exited with code ${summary.exitCode} after ${summary.frames} frames: ${detail}`,
        });
      }
    } finally {
      if (!finished) await running.kill();
      this.running = undefined;
    }
  }
}

/** Opens a frame source; nothing runs until it is probed, planned or iterated. */
export function openFrames(input: string, request: FrameRequest = {}): FrameSource {
  return new DecodingFrameSource(input, request);
}

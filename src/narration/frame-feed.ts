/**
 * @file The frames a narration reads: `openFrames` at the narration fps, with the times moved onto one stream
 * timeline, drops counted across connections, and — for live URLs (rtsp, http(s), udp) — reconnection with
 * exponential backoff when the source ends, fails or stalls. Files and stdin are read once.
 */
import type { Readable } from 'node:stream';
import type { VideoFrame } from '../core/frame.js';
import { FfmpegError, VidtokError } from '../errors/index.js';
import { isLiveInput, openFrames, type FrameSource } from '../ingest/index.js';

export interface FrameFeedOptions {
  readonly fps: number;
  readonly size: { readonly width: number; readonly height: number };
  readonly realtime: boolean;
  readonly bufferFrames: number;
  readonly reconnectAttempts: number;
  readonly initialDelayMilliseconds: number;
  readonly maxDelayMilliseconds: number;
  readonly stallMilliseconds: number;
  readonly stdin?: Readable;
  /** Aborting ends the feed quietly (no error). */
  readonly signal: AbortSignal;
  readonly onReconnect: (attempt: number, delayMilliseconds: number, reason: string) => void;
}

/** A frame on the stream timeline: `pts` is the stream time, `index` the position in the feed. */
export interface FeedFrame extends VideoFrame {
  /** The frame's own pts in its connection. */
  readonly sourcePts: number;
}

export interface FrameFeed extends AsyncIterable<FeedFrame> {
  /** Frames dropped by the live buffer so far, over every connection. */
  readonly dropped: number;
  /** Frames waiting in the live buffer now. */
  readonly buffered: number;
  /** The most frames ever waiting in the live buffer. */
  readonly peakBuffered: number;
}

function sleep(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, milliseconds);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0]!;
  return String(error);
}

/** Opens the feed; nothing runs until it is iterated. */
export function openFrameFeed(input: string, options: FrameFeedOptions): FrameFeed {
  const reconnects = input !== '-' && isLiveInput(input);
  const normalizeTimes = isLiveInput(input);
  let droppedBefore = 0;
  let current: FrameSource | undefined;
  let peakBuffered = 0;

  async function* frames(): AsyncGenerator<FeedFrame, void> {
    let failures = 0;
    let position = 0;
    let offset = 0;
    let lastTime = Number.NEGATIVE_INFINITY;
    let everReceived = false;
    let lastError: unknown;
    while (!options.signal.aborted) {
      const source = openFrames(input, {
        fps: options.fps,
        size: options.size,
        realtime: options.realtime,
        bufferFrames: options.bufferFrames,
        signal: options.signal,
        ...(options.stdin ? { stdin: options.stdin } : {}),
      });
      current = source;
      let base: number | undefined;
      let received = 0;
      let lastActivity = performance.now();
      let stalled = false;
      let droppedSeen = 0;
      const watchdog = reconnects
        ? setInterval(
            () => {
              const dropped = source.dropped;
              if (dropped !== droppedSeen || source.buffered > 0) {
                droppedSeen = dropped;
                lastActivity = performance.now();
                return;
              }
              if (performance.now() - lastActivity > options.stallMilliseconds) {
                stalled = true;
                void source.close();
              }
            },
            Math.min(1000, options.stallMilliseconds / 2),
          )
        : undefined;
      watchdog?.unref();
      let reason = 'the source ended';
      try {
        for await (const frame of source) {
          if (options.signal.aborted) break;
          lastActivity = performance.now();
          received += 1;
          failures = 0;
          everReceived = true;
          let time = frame.pts;
          if (normalizeTimes) {
            base ??= frame.pts;
            time = offset + (frame.pts - base);
          }
          if (time <= lastTime) time = lastTime + 1e-3;
          lastTime = time;
          peakBuffered = Math.max(peakBuffered, source.buffered);
          yield {
            data: frame.data,
            width: frame.width,
            height: frame.height,
            pts: time,
            index: position,
            sourcePts: frame.pts,
          };
          position += 1;
        }
        if (stalled) reason = `no frame for ${options.stallMilliseconds / 1000} s`;
      } catch (error) {
        if (options.signal.aborted) return;
        if (!reconnects || isFatal(error)) throw error;
        lastError = error;
        reason = reasonOf(error);
      } finally {
        if (watchdog) clearInterval(watchdog);
        droppedBefore += source.dropped;
        current = undefined;
        await source.close();
      }
      if (!reconnects || options.signal.aborted) return;
      if (received === 0) failures += 1;
      else failures = 1;
      if (failures > options.reconnectAttempts) {
        if (everReceived) return;
        if (VidtokError.isInstance(lastError)) throw lastError;
        throw new FfmpegError(input, `gave up after ${failures} attempts: ${reason}`);
      }
      if (lastTime > Number.NEGATIVE_INFINITY) offset = lastTime + 1 / options.fps;
      const delay = Math.min(options.maxDelayMilliseconds, options.initialDelayMilliseconds * 2 ** (failures - 1));
      options.onReconnect(failures, delay, reason);
      await sleep(delay, options.signal);
    }
  }

  return {
    get dropped() {
      return droppedBefore + (current?.dropped ?? 0);
    },
    get buffered() {
      return current?.buffered ?? 0;
    },
    get peakBuffered() {
      return peakBuffered;
    },
    [Symbol.asyncIterator]: frames,
  };
}

/** Errors that no reconnect can fix (a bad URL scheme, a usage error). */
function isFatal(error: unknown): boolean {
  return (
    VidtokError.isInstance(error) &&
    (error.code === 'USAGE' || error.code === 'UNSUPPORTED_SOURCE' || error.code === 'NO_VIDEO_STREAM')
  );
}

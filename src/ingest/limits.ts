/**
 * @file Caps applied to every input before decoding starts (checked against the probe result), plus the probe and
 * decode deadlines. A crafted header can ask for a huge allocation; ffmpeg does not cap it by default.
 */
import { LimitExceededError } from '../errors/index.js';

export interface IngestLimits {
  /** Largest display width accepted, in pixels. */
  maxWidth: number;
  /** Largest display height accepted, in pixels. */
  maxHeight: number;
  /** Largest `width * height` accepted (default 8192x4320). */
  maxPixels: number;
  /** Longest media duration accepted, in seconds. */
  maxDurationSeconds: number;
  /** Deadline for one ffprobe run, in milliseconds. */
  probeTimeoutMs: number;
  /**
   * Deadline for one decode of a file, in milliseconds; 0 means automatic: 60 s plus 2 s per second of media
   * decoded (live sources have no deadline; they stop on abort).
   */
  decodeTimeoutMs?: number;
  /** Largest number of bytes of RGB frames `extractFrames` holds in memory at once (default 4 GiB). */
  maxExtractBytes?: number;
}

export const defaultIngestLimits: IngestLimits = Object.freeze({
  maxWidth: 8192,
  maxHeight: 8192,
  maxPixels: 8192 * 4320,
  maxDurationSeconds: 6 * 3600,
  probeTimeoutMs: 15_000,
  decodeTimeoutMs: 0,
  maxExtractBytes: 4 * 2 ** 30,
});

/** The longest decode deadline ever set (24 h): corrupt timestamps can claim absurd media lengths. */
export const maxDecodeDeadlineMs = 24 * 3600 * 1000;

/** The defaults overridden by the given fields. */
export function resolveLimits(limits: Partial<IngestLimits> | undefined): IngestLimits {
  return { ...defaultIngestLimits, ...(limits ?? {}) };
}

/** Throws LimitExceededError when a probed stream is over a cap. */
export function checkLimits(
  input: string,
  media: { width: number; height: number; duration: number; isLive: boolean },
  limits: IngestLimits,
): void {
  if (media.width > limits.maxWidth) throw new LimitExceededError(input, 'width (px)', media.width, limits.maxWidth);
  if (media.height > limits.maxHeight)
    throw new LimitExceededError(input, 'height (px)', media.height, limits.maxHeight);
  const pixels = media.width * media.height;
  if (pixels > limits.maxPixels) throw new LimitExceededError(input, 'pixels per frame', pixels, limits.maxPixels);
  if (!media.isLive && Number.isFinite(media.duration) && media.duration > limits.maxDurationSeconds) {
    throw new LimitExceededError(input, 'duration (s)', Number(media.duration.toFixed(3)), limits.maxDurationSeconds);
  }
}

/**
 * The decode deadline for `seconds` of media under `limits` (undefined: no deadline). The media length is clamped to
 * the duration limit and the result to `maxDecodeDeadlineMs` (Node's timers overflow above 2^31 - 1 ms and would
 * fire at once).
 */
export function decodeDeadlineMs(limits: IngestLimits, seconds: number, realtime: boolean): number | undefined {
  if (limits.decodeTimeoutMs !== undefined && limits.decodeTimeoutMs > 0)
    return Math.min(limits.decodeTimeoutMs, maxDecodeDeadlineMs);
  if (Number.isNaN(seconds) || seconds === Number.POSITIVE_INFINITY) return undefined;
  const media = Math.min(Math.max(0, seconds), limits.maxDurationSeconds);
  return Math.min(maxDecodeDeadlineMs, 60_000 + Math.ceil(media * (realtime ? 1000 : 2000)));
}

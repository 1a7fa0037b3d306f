/**
 * @file Fixed-length chunk planning for dense captioning (`--chunk 10s --overlap 2s`).
 *
 * Rules (exact):
 * - chunk i starts at `i * (chunkSeconds - overlapSeconds)` and ends at `min(start + chunkSeconds, duration)`;
 * - planning stops with the first chunk that reaches the end of the video, so the last chunk may be shorter, every
 *   chunk covers some time no earlier chunk covered, and there is never a zero-length chunk;
 * - a video no longer than one chunk gives exactly one chunk `[0, duration]`;
 * - `chunkSeconds > 0`, `0 <= overlapSeconds < chunkSeconds`, `duration > 0`, all finite; otherwise a UsageError
 *   (options) or InputRejectedError (duration) is thrown;
 * - times are rounded to the microsecond so `0.1 * 3` style float noise never shows up in outputs.
 */
import { InputRejectedError, UsageError } from '../errors/index.js';

export interface ChunkSpan {
  readonly start: number;
  readonly end: number;
}

export interface FixedChunking {
  readonly chunkSeconds: number;
  readonly overlapSeconds: number;
}

const roundToMicroseconds = (value: number): number => Math.round(value * 1e6) / 1e6;

/** Validates chunk options; throws UsageError naming the option. */
export function validateFixedChunking({ chunkSeconds, overlapSeconds }: FixedChunking): void {
  if (!Number.isFinite(chunkSeconds) || chunkSeconds <= 0) {
    throw new UsageError(`--chunk ${chunkSeconds}: must be a positive number of seconds`);
  }
  if (!Number.isFinite(overlapSeconds) || overlapSeconds < 0) {
    throw new UsageError(`--overlap ${overlapSeconds}: must be a number of seconds >= 0`);
  }
  if (overlapSeconds >= chunkSeconds) {
    throw new UsageError(`--overlap ${overlapSeconds}: must be shorter than --chunk ${chunkSeconds}`);
  }
}

/** Plans the chunks of a video of `durationSeconds` (see the file header for the exact rules). */
export function planChunks(durationSeconds: number, chunking: FixedChunking, input = 'video'): ChunkSpan[] {
  validateFixedChunking(chunking);
  if (!Number.isFinite(durationSeconds) || durationSeconds <= 0) {
    throw new InputRejectedError(input, `duration ${durationSeconds} s cannot be split into chunks`);
  }
  const step = chunking.chunkSeconds - chunking.overlapSeconds;
  const duration = roundToMicroseconds(durationSeconds);
  const chunks: ChunkSpan[] = [];
  for (let index = 0; ; index += 1) {
    const start = roundToMicroseconds(index * step);
    const end = Math.min(roundToMicroseconds(start + chunking.chunkSeconds), duration);
    if (end <= start) break; // only reachable through rounding when the previous chunk already ended at `duration`
    chunks.push({ start, end });
    if (end >= duration) break;
  }
  return chunks;
}

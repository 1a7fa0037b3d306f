/**
 * @file Errors from child processes and time: ffmpeg/ffprobe missing or failing, deadlines, cancellation.
 */
import { ExitCode } from './exit-codes.js';
import { VidtokError, type VidtokErrorOptions } from './vidtok-error.js';

/** No usable ffmpeg/ffprobe binary was found (see `vidtok doctor` for the resolution order). */
export class FfmpegNotFoundError extends VidtokError {
  readonly code = 'FFMPEG_NOT_FOUND';
  readonly exitCode = ExitCode.decodeFailed;
  constructor(
    readonly binary: 'ffmpeg' | 'ffprobe',
    readonly tried: readonly string[],
    options?: VidtokErrorOptions,
  ) {
    super(
      `no working ${binary} found (tried: ${tried.join(', ') || 'nothing'}); set VIDTOK_${binary.toUpperCase()}`,
      options,
    );
  }
}

/** ffmpeg or ffprobe exited with an error; `stderrTail` holds its last lines for --verbose. */
export class FfmpegError extends VidtokError {
  readonly code = 'FFMPEG_FAILED';
  readonly exitCode = ExitCode.decodeFailed;
  constructor(
    readonly input: string,
    readonly reason: string,
    readonly stderrTail = '',
    options?: VidtokErrorOptions,
  ) {
    super(`${input}: ${reason}`, options);
  }
}

/** A result is incomplete: some wanted frames could not be decoded (what did decode was delivered). */
export class PartialResultError extends VidtokError {
  readonly code = 'PARTIAL_RESULT';
  readonly exitCode = ExitCode.partialFailure;
  constructor(
    readonly input: string,
    readonly missing: number,
    readonly wanted: number,
    options?: VidtokErrorOptions,
  ) {
    super(`${input}: partial result: ${missing} of ${wanted} wanted frame(s) could not be decoded`, options);
  }
}

/** An operation ran past its deadline; the child process (if any) was killed. */
export class DeadlineExceededError extends VidtokError {
  readonly code = 'DEADLINE_EXCEEDED';
  readonly exitCode = ExitCode.timeout;
  constructor(
    readonly operation: string,
    readonly deadlineMs: number,
    options?: VidtokErrorOptions,
  ) {
    super(`${operation}: did not finish within ${(deadlineMs / 1000).toFixed(1)} s`, { retryable: true, ...options });
  }
}

/** The operation was cancelled through an AbortSignal or SIGINT. */
export class AbortedError extends VidtokError {
  readonly code = 'ABORTED';
  readonly exitCode = ExitCode.interrupted;
  constructor(
    readonly operation: string,
    options?: VidtokErrorOptions,
  ) {
    super(`${operation}: cancelled`, options);
  }
}

/**
 * @file Errors about what the user asked vidtok to read: files, URLs, streams. Messages are one line and name the
 * input; they never include a stack trace (the CLI prints that only with --verbose).
 */
import { ExitCode } from './exit-codes.js';
import { VidtokError, type VidtokErrorOptions } from './vidtok-error.js';

/** The path does not exist, is a directory, or cannot be read. */
export class InputNotFoundError extends VidtokError {
  readonly code = 'INPUT_NOT_FOUND';
  readonly exitCode = ExitCode.inputNotFound;
  constructor(
    readonly input: string,
    readonly reason: string,
    options?: VidtokErrorOptions,
  ) {
    super(`${input}: ${reason}`, options);
  }
}

/** The input exists but is not usable video: empty, not a media file, corrupt beyond decoding. */
export class InputRejectedError extends VidtokError {
  readonly code = 'INPUT_REJECTED';
  readonly exitCode = ExitCode.inputRejected;
  constructor(
    readonly input: string,
    readonly reason: string,
    options?: VidtokErrorOptions,
  ) {
    super(`${input}: ${reason}`, options);
  }
}

/** The input is a media file without a video stream (audio only, subtitles only). */
export class NoVideoStreamError extends VidtokError {
  readonly code = 'NO_VIDEO_STREAM';
  readonly exitCode = ExitCode.inputRejected;
  constructor(
    readonly input: string,
    readonly detail = 'has no video stream',
    options?: VidtokErrorOptions,
  ) {
    super(`${input}: ${detail}`, options);
  }
}

/** A URL whose scheme is not on the allowed list (rtsp, http, https, udp, stdin '-', plain files). */
export class UnsupportedSourceError extends VidtokError {
  readonly code = 'UNSUPPORTED_SOURCE';
  readonly exitCode = ExitCode.inputRejected;
  constructor(
    readonly input: string,
    readonly reason: string,
    options?: VidtokErrorOptions,
  ) {
    super(`${input}: ${reason}`, options);
  }
}

/**
 * vidtok refused to contact a network address (loopback, private, link-local, metadata) that the network policy
 * does not allow; the message names the host and the address and says how to allow it.
 */
export class NetworkRefusedError extends VidtokError {
  readonly code = 'NETWORK_REFUSED';
  readonly exitCode = ExitCode.inputRejected;
  constructor(
    readonly input: string,
    readonly reason: string,
    options?: VidtokErrorOptions,
  ) {
    super(`${input}: ${reason}`, options);
  }
}

/** A configured cap was exceeded (resolution, pixels, duration, frame count, bytes). */
export class LimitExceededError extends VidtokError {
  readonly code = 'LIMIT_EXCEEDED';
  readonly exitCode = ExitCode.limitExceeded;
  constructor(
    readonly input: string,
    readonly limit: string,
    readonly actual: number | string,
    readonly allowed: number | string,
    options?: VidtokErrorOptions,
  ) {
    super(`${input}: ${limit} ${actual} exceeds the limit ${allowed}`, options);
  }
}

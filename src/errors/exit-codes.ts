/**
 * @file Exit codes of the vidtok CLI. Every typed error maps to exactly one of these; README.md documents the table.
 */

export const ExitCode = {
  /** Everything worked. */
  ok: 0,
  /** An unexpected internal error (a bug): the message asks for a report; `--verbose` prints the stack. */
  internal: 1,
  /** Bad command-line usage: unknown option, invalid number, missing argument. */
  usage: 2,
  /** The input does not exist or cannot be read (missing path, directory, permission). */
  inputNotFound: 3,
  /** The input was read but rejected: not a video, no video stream, unsupported URL scheme, corrupt beyond use. */
  inputRejected: 4,
  /** A configured limit was exceeded: resolution, duration, token budget, context window. */
  limitExceeded: 5,
  /** ffmpeg/ffprobe failed or is missing, or decoding failed mid-stream. */
  decodeFailed: 6,
  /** A deadline passed (probe, decode, inference). */
  timeout: 7,
  /** A model is missing, corrupt or inconsistent, or a download failed. */
  modelError: 8,
  /** A pipeline file, stage graph or option combination is invalid. */
  configError: 9,
  /** A batch finished but some items failed, or a conformance run had failures. */
  partialFailure: 10,
  /** Interrupted by the user (SIGINT) or cancelled through an AbortSignal. */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

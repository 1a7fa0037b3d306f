/**
 * @file Errors in OpenAI's shape (`{"error":{"message","type","param","code"}}`) with their HTTP status: an
 * `HttpError` thrown by the server's own checks, and `httpErrorFrom(error)` mapping the typed vidtok errors (bad
 * media 400, refused media 403, over the context window 413, undecodable 422, deadline 504, anything else 500).
 */
import { VidtokError } from '../errors/index.js';

export type OpenAiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'server_error';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: OpenAiErrorType,
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    /** Extra response headers (`Retry-After`, `WWW-Authenticate`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  /** The JSON body OpenAI clients parse. */
  body(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

const statusByCode: Readonly<Record<string, readonly [number, OpenAiErrorType, string]>> = {
  USAGE: [400, 'invalid_request_error', 'invalid_value'],
  INPUT_NOT_FOUND: [400, 'invalid_request_error', 'media_not_found'],
  INPUT_REJECTED: [400, 'invalid_request_error', 'media_rejected'],
  NO_VIDEO_STREAM: [400, 'invalid_request_error', 'media_rejected'],
  UNSUPPORTED_SOURCE: [400, 'invalid_request_error', 'unsupported_media_url'],
  NETWORK_REFUSED: [403, 'permission_error', 'media_url_refused'],
  CONTEXT_OVERFLOW: [413, 'invalid_request_error', 'context_length_exceeded'],
  BUDGET_EXCEEDED: [413, 'invalid_request_error', 'context_length_exceeded'],
  LIMIT_EXCEEDED: [422, 'invalid_request_error', 'media_limit_exceeded'],
  FFMPEG_FAILED: [422, 'invalid_request_error', 'media_decode_failed'],
  PARTIAL_RESULT: [422, 'invalid_request_error', 'media_decode_failed'],
  PIPELINE_INVALID: [400, 'invalid_request_error', 'invalid_pipeline'],
  GRAPH_MISMATCH: [400, 'invalid_request_error', 'invalid_pipeline'],
  STRATEGY_INPUT: [400, 'invalid_request_error', 'invalid_pipeline'],
  DEADLINE_EXCEEDED: [504, 'server_error', 'deadline_exceeded'],
};

/** The HTTP error a failure becomes. Internal errors keep their message out of the response (it is logged instead). */
export function httpErrorFrom(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (VidtokError.isInstance(error)) {
    const entry = statusByCode[error.code];
    if (entry) return new HttpError(entry[0], entry[1], error.message, entry[2]);
    return new HttpError(500, 'server_error', error.message, error.code.toLowerCase());
  }
  return new HttpError(500, 'server_error', 'internal server error (see the server log)', 'internal_error');
}

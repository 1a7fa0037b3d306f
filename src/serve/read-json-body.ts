/**
 * @file Reads a request body as JSON with a size limit: a body over the limit is a 413, malformed JSON or a
 * non-object a 400 (OpenAI error shapes), and nothing is buffered past the limit.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './openai-error.js';

/** Parses the body of `request` (at most `limitBytes`). */
export async function readJsonBody(request: IncomingMessage, limitBytes: number): Promise<Record<string, unknown>> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limitBytes)
    throw new HttpError(
      413,
      'invalid_request_error',
      `request body of ${declared} bytes exceeds the limit of ${limitBytes}`,
      'request_too_large',
    );
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) {
      request.resume();
      throw new HttpError(
        413,
        'invalid_request_error',
        `request body exceeds the limit of ${limitBytes} bytes`,
        'request_too_large',
      );
    }
    chunks.push(chunk);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new HttpError(
      400,
      'invalid_request_error',
      `the body is not valid JSON (${(error as Error).message})`,
      'invalid_json',
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'invalid_request_error', 'the body must be a JSON object', 'invalid_json');
  }
  return parsed as Record<string, unknown>;
}

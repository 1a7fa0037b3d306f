/**
 * @file `Authorization: Bearer <key>` checking in constant time: both sides are hashed to SHA-256 first, so the
 * comparison takes the same time whatever the length or content of the presented key.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './openai-error.js';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** A checker for one key; throws a 401 HttpError when the request does not carry it. */
export function bearerAuthenticator(key: string): (request: IncomingMessage) => void {
  const expected = digest(key);
  return (request) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer[ ]+(.+)$/i.exec(header);
    const presented = digest(match?.[1]?.trim() ?? '');
    if (!match || !timingSafeEqual(presented, expected)) {
      throw new HttpError(
        401,
        'authentication_error',
        'missing or wrong API key (send Authorization: Bearer <key>)',
        'invalid_api_key',
        null,
        {
          'WWW-Authenticate': 'Bearer',
        },
      );
    }
  };
}

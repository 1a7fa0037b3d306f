/**
 * @file Downloads an http(s) media URL into a file under the network policy (src/net): the host is resolved once and
 * every address checked (`resolveAllowedAddress`), the connection is pinned to the checked address (no second DNS
 * answer), each redirect (at most 5) is checked the same way, and the body is bounded in size and time. The file
 * is named by the SHA-256 of its content, which is also its cache identity. Playlists (HLS) are not downloads and
 * are refused.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { extname, join } from 'node:path';
import { resolveAllowedAddress } from '../net/resolve-host.js';
import { HttpError } from './openai-error.js';

export interface DownloadLimits {
  /** Largest body, bytes. */
  readonly maxBytes: number;
  /** Whole download deadline, milliseconds. */
  readonly deadlineMs: number;
}

export interface DownloadedMedia {
  readonly path: string;
  readonly sha256: string;
}

const maxRedirects = 5;

function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as unknown as LookupFunction;
}

async function open(url: URL, signal: AbortSignal): Promise<IncomingMessage> {
  const { address, family } = await resolveAllowedAddress(url.href, url.hostname);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<IncomingMessage>((resolve, reject) => {
    const outgoing = request(
      url,
      { method: 'GET', lookup: pinnedLookup(address, family), signal, headers: { 'User-Agent': 'vidtok-serve' } },
      resolve,
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** Downloads `input` into `directory`; throws HttpError (403 refused, 400 unreachable or not media, 413 too large). */
export async function downloadMedia(
  input: string,
  directory: string,
  limits: DownloadLimits,
): Promise<DownloadedMedia> {
  const signal = AbortSignal.timeout(limits.deadlineMs);
  let url = new URL(input);
  let response: IncomingMessage | undefined;
  for (let hop = 0; ; hop++) {
    try {
      response = await open(url, signal);
    } catch (error) {
      if (error instanceof Error && 'code' in error && (error as { code: unknown }).code === 'NETWORK_REFUSED')
        throw new HttpError(403, 'permission_error', error.message, 'media_url_refused');
      if (error instanceof Error && 'exitCode' in error) throw error;
      throw new HttpError(
        400,
        'invalid_request_error',
        `${input}: cannot be downloaded (${error instanceof Error ? error.message : String(error)})`,
        'media_not_found',
      );
    }
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      if (hop >= maxRedirects)
        throw new HttpError(
          400,
          'invalid_request_error',
          `${input}: more than ${maxRedirects} redirects`,
          'media_not_found',
        );
      const next = new URL(response.headers.location, url);
      if (next.protocol !== 'http:' && next.protocol !== 'https:')
        throw new HttpError(
          403,
          'permission_error',
          `${input}: redirected to ${next.protocol} (only http and https)`,
          'media_url_refused',
        );
      url = next;
      continue;
    }
    if (status !== 200) {
      response.resume();
      throw new HttpError(
        400,
        'invalid_request_error',
        `${input}: the server answered HTTP ${status}`,
        'media_not_found',
      );
    }
    break;
  }
  const type = String(response.headers['content-type'] ?? '').toLowerCase();
  if (type.includes('mpegurl')) {
    response.resume();
    throw new HttpError(
      400,
      'invalid_request_error',
      `${input}: an HLS playlist is not a media file (use vidtok narrate for live streams)`,
      'media_rejected',
    );
  }
  const declared = Number(response.headers['content-length'] ?? 0);
  if (declared > limits.maxBytes) {
    response.destroy();
    throw new HttpError(
      413,
      'invalid_request_error',
      `${input}: ${declared} bytes exceeds the download limit of ${limits.maxBytes}`,
      'media_too_large',
    );
  }
  await fs.mkdir(directory, { recursive: true });
  const partial = join(directory, `download-${randomBytes(8).toString('hex')}.part`);
  const hash = createHash('sha256');
  let size = 0;
  try {
    const file = createWriteStream(partial, { flags: 'wx' });
    try {
      for await (const chunk of response as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > limits.maxBytes)
          throw new HttpError(
            413,
            'invalid_request_error',
            `${input}: the body exceeds the download limit of ${limits.maxBytes} bytes`,
            'media_too_large',
          );
        hash.update(chunk);
        if (!file.write(chunk)) await new Promise<void>((resolve) => file.once('drain', resolve));
      }
    } finally {
      await new Promise<void>((resolve) => file.end(resolve));
    }
    if (size === 0) throw new HttpError(400, 'invalid_request_error', `${input}: empty body`, 'media_rejected');
    const sha256 = hash.digest('hex');
    const extension = /^\.[a-z0-9]{1,5}$/i.test(extname(url.pathname)) ? extname(url.pathname).toLowerCase() : '';
    const path = join(directory, `${sha256}${extension}`);
    await fs.rename(partial, path);
    return { path, sha256 };
  } catch (error) {
    response.destroy();
    await fs.rm(partial, { force: true });
    if (error instanceof HttpError) throw error;
    throw new HttpError(
      400,
      'invalid_request_error',
      `${input}: download failed (${error instanceof Error ? error.message : String(error)})`,
      'media_not_found',
    );
  }
}

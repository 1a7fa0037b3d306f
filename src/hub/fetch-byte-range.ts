/**
 * @file Reads one byte range of a hub file with an HTTP Range request (`Range: bytes=start-end`), following redirects
 * by hand so the token only goes to the hub's origin (the CDN gets none), under a deadline and the caller's
 * AbortSignal. The answer must be `206` with a `Content-Range` naming exactly that range; a server that ignores the
 * range (`200`) is refused rather than read whole.
 */
import { AbortedError, DownloadError } from '../errors/index.js';

export interface ByteRangeRequest {
  readonly url: string;
  /** First byte, inclusive. */
  readonly start: number;
  /** Last byte, inclusive. */
  readonly end: number;
  readonly token?: string;
  /** The only origin that gets the token. */
  readonly tokenOrigin: string;
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
  /** Deadline of the whole request in milliseconds (default 60 000). */
  readonly timeoutMs?: number;
}

export interface ByteRange {
  readonly bytes: Uint8Array;
  /** Total size of the file, from `Content-Range`. */
  readonly fileSize: number;
}

const maximumRedirects = 10;

/** Fetches bytes `start..end` (inclusive) of `url`; every failure is a DownloadError naming the URL. */
export async function fetchByteRange(request: ByteRangeRequest): Promise<ByteRange> {
  const { url, start, end } = request;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new RangeError(`invalid byte range ${start}-${end}`);
  }
  const signals = [AbortSignal.timeout(request.timeoutMs ?? 60_000), ...(request.signal ? [request.signal] : [])];
  const signal = AbortSignal.any(signals);
  const fetchImplementation = request.fetch ?? fetch;
  let current = new URL(url);
  try {
    for (let hop = 0; hop <= maximumRedirects; hop += 1) {
      const headers = new Headers({ accept: '*/*', 'accept-encoding': 'identity', range: `bytes=${start}-${end}` });
      if (request.token && current.origin === request.tokenOrigin)
        headers.set('authorization', `Bearer ${request.token}`);
      const response = await fetchImplementation(current, { headers, signal, redirect: 'manual' });
      if (response.status >= 300 && response.status <= 399) {
        const location = response.headers.get('location');
        await response.body?.cancel();
        if (!location)
          throw new DownloadError(url, `HTTP ${response.status} redirect without a Location header`, {
            retryable: true,
          });
        const next = new URL(location, current);
        if (next.protocol !== 'https:' && next.protocol !== 'http:')
          throw new DownloadError(url, `refusing a redirect to ${next.protocol} URL`);
        if (current.protocol === 'https:' && next.protocol === 'http:')
          throw new DownloadError(url, 'refusing a redirect from https to http');
        current = next;
        continue;
      }
      if (response.status !== 206) {
        await response.body?.cancel();
        const retryable = response.status >= 500 || response.status === 429 || response.status === 408;
        const what =
          response.status === 200 ? 'the server ignored the Range request (HTTP 200)' : `HTTP ${response.status}`;
        throw new DownloadError(url, `bytes ${start}-${end}: ${what}`, { retryable });
      }
      const contentRange = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
      const expectedEnd = contentRange ? Number(contentRange[2]) : -1;
      if (!contentRange || Number(contentRange[1]) !== start || expectedEnd > end) {
        await response.body?.cancel();
        throw new DownloadError(
          url,
          `bytes ${start}-${end}: the answer's Content-Range is ${JSON.stringify(response.headers.get('content-range'))}`,
        );
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (bytes.byteLength !== expectedEnd - start + 1) {
        throw new DownloadError(
          url,
          `bytes ${start}-${end}: received ${bytes.byteLength} bytes, Content-Range says ${expectedEnd - start + 1}`,
          { retryable: true },
        );
      }
      return { bytes, fileSize: Number(contentRange[3]) };
    }
    throw new DownloadError(url, `more than ${maximumRedirects} redirects`);
  } catch (error) {
    if (error instanceof DownloadError) throw error;
    if (request.signal?.aborted) throw new AbortedError(`range request to ${url}`, { cause: error });
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    const reason = timedOut
      ? 'timed out'
      : error instanceof Error
        ? ((error.cause as Error | undefined)?.message ?? error.message)
        : String(error);
    throw new DownloadError(url, `bytes ${start}-${end}: ${reason}`, { cause: error, retryable: true });
  }
}

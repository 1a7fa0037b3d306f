/**
 * @file Downloads one file into a `.partial` file, resuming with an HTTP Range request from the bytes already there,
 * then checks the size and the checksum the tree listing gave (sha256 for LFS files, the git blob sha1 otherwise).
 * Redirects are followed by hand so the token never leaves the hub's origin. A connection that drops or stalls
 * keeps the partial bytes and fails retryable; a checksum mismatch deletes them and fails for good.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm, stat, truncate } from 'node:fs/promises';
import { AbortedError, DownloadError, throwIfAborted } from '../errors/index.js';

/** What the bytes must hash to. */
export type ExpectedChecksum =
  | { readonly algorithm: 'sha256'; readonly hex: string }
  | { readonly algorithm: 'git-sha1'; readonly hex: string }
  | { readonly algorithm: 'none' };

export interface DownloadFileRequest {
  readonly url: string;
  /** Where bytes accumulate; resumed when it already holds a prefix. Not renamed here. */
  readonly partialPath: string;
  readonly expectedSize: number;
  readonly checksum: ExpectedChecksum;
  /** Token sent as a Bearer header, only to `tokenOrigin`. */
  readonly token?: string;
  /** The hub's origin (`https://huggingface.co`): the only origin that gets the token. */
  readonly tokenOrigin: string;
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
  /** Fails (retryable) when no byte arrives for this long; default 60 000 ms. */
  readonly stallTimeoutMs?: number;
  /** Called after each chunk with the bytes of this file on disk so far. */
  readonly onBytes?: (bytesOnDisk: number) => void;
}

export interface DownloadFileOutcome {
  /** Bytes that were already on disk when this call started. */
  readonly resumedFrom: number;
  /** Bytes received over the network by this call. */
  readonly receivedBytes: number;
  /** `X-Repo-Commit` of the resolve response, when the server sent one. */
  readonly commit: string | undefined;
}

const maximumRedirects = 10;

/** Downloads (or finishes) one file and verifies it; see the file comment for the failure contract. */
export async function downloadFile(request: DownloadFileRequest): Promise<DownloadFileOutcome> {
  const { url, partialPath, expectedSize } = request;
  throwIfAborted(request.signal, `download of ${url}`);
  let onDisk = await sizeOf(partialPath);
  if (onDisk > expectedSize) {
    await truncate(partialPath, 0);
    onDisk = 0;
  }
  const state = { hash: createChecksumHash(request.checksum, expectedSize) };
  if (onDisk > 0) await hashFilePrefix(partialPath, onDisk, state.hash, request.signal);
  const resumedFrom = onDisk;
  let receivedBytes = 0;
  let commit: string | undefined;
  if (onDisk < expectedSize) {
    const received = await receive(request, onDisk, state);
    receivedBytes = received.receivedBytes;
    commit = received.commit;
    onDisk = received.bytesOnDisk;
  }
  if (onDisk !== expectedSize) {
    throw new DownloadError(url, `size mismatch: expected ${expectedSize} bytes, have ${onDisk}`, { retryable: true });
  }
  if (request.checksum.algorithm !== 'none') {
    const actual = state.hash.digest('hex');
    if (actual !== request.checksum.hex) {
      await rm(partialPath, { force: true });
      throw new DownloadError(
        url,
        `${request.checksum.algorithm} mismatch: expected ${request.checksum.hex}, got ${actual}; the download was discarded`,
      );
    }
  }
  return { resumedFrom, receivedBytes, commit };
}

/** A hash primed for `checksum` (git blob ids hash a `blob {size}\0` header first). */
export function createChecksumHash(checksum: ExpectedChecksum, expectedSize: number): Hash {
  if (checksum.algorithm === 'git-sha1') return createHash('sha1').update(`blob ${expectedSize}\0`);
  return createHash('sha256');
}

/** Whether a whole file on disk has the expected size and checksum. */
export async function fileMatchesChecksum(
  path: string,
  expectedSize: number,
  checksum: ExpectedChecksum,
  signal?: AbortSignal,
): Promise<boolean> {
  if ((await sizeOf(path)) !== expectedSize) return false;
  if (checksum.algorithm === 'none') return true;
  const hash = createChecksumHash(checksum, expectedSize);
  await hashFilePrefix(path, expectedSize, hash, signal);
  return hash.digest('hex') === checksum.hex;
}

interface Received {
  readonly receivedBytes: number;
  readonly bytesOnDisk: number;
  readonly commit: string | undefined;
  /** True when the server ignored the range and the file was received from byte zero. */
  readonly restarted: boolean;
}

async function receive(request: DownloadFileRequest, offset: number, state: { hash: Hash }): Promise<Received> {
  const { url, partialPath, expectedSize } = request;
  const stallTimeoutMs = request.stallTimeoutMs ?? 60_000;
  const stall = new AbortController();
  const signal = request.signal ? AbortSignal.any([request.signal, stall.signal]) : stall.signal;
  let stallTimer = setTimeout(() => stall.abort(), stallTimeoutMs);
  const resetStall = (): void => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => stall.abort(), stallTimeoutMs);
  };
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  let bytesOnDisk = offset;
  let receivedBytes = 0;
  try {
    const { response, commit } = await fetchFollowingRedirects(request, offset, signal);
    resetStall();
    let restarted = false;
    if (response.status === 206) {
      const start = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1];
      if (start === undefined || Number(start) !== offset) {
        await response.body?.cancel();
        throw new DownloadError(
          url,
          `the server answered the range request from byte ${start ?? '?'} instead of ${offset}`,
          { retryable: true },
        );
      }
    } else if (response.status === 200) {
      if (offset > 0) {
        // The server ignored the Range header and sends the whole file: start over from byte zero.
        restarted = true;
        bytesOnDisk = 0;
        state.hash = createChecksumHash(request.checksum, expectedSize);
      }
    } else if (response.status === 416) {
      await response.body?.cancel();
      await truncate(partialPath, 0);
      throw new DownloadError(url, 'the server rejected the resume range; restarting from the beginning', {
        retryable: true,
      });
    } else {
      await response.body?.cancel();
      throw httpError(url, response.status);
    }
    if (!response.body) throw new DownloadError(url, 'the response has no body', { retryable: true });
    handle = await open(partialPath, bytesOnDisk > 0 ? 'a' : 'w');
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      resetStall();
      if (bytesOnDisk + chunk.byteLength > expectedSize) {
        await handle.close();
        handle = undefined;
        await rm(partialPath, { force: true });
        throw new DownloadError(
          url,
          `the server sent more than the listed ${expectedSize} bytes; the download was discarded`,
        );
      }
      await handle.write(chunk);
      state.hash.update(chunk);
      bytesOnDisk += chunk.byteLength;
      receivedBytes += chunk.byteLength;
      request.onBytes?.(bytesOnDisk);
    }
    if (bytesOnDisk < expectedSize) {
      throw new DownloadError(
        url,
        `the connection closed after ${bytesOnDisk} of ${expectedSize} bytes; run again to resume`,
        { retryable: true },
      );
    }
    return { receivedBytes, bytesOnDisk, commit, restarted };
  } catch (error) {
    if (request.signal?.aborted) throw new AbortedError(`download of ${url}`, { cause: error });
    if (stall.signal.aborted) {
      throw new DownloadError(
        url,
        `no data for ${(stallTimeoutMs / 1000).toFixed(1)} s after ${bytesOnDisk} of ${expectedSize} bytes; run again to resume`,
        { cause: error, retryable: true },
      );
    }
    if (error instanceof DownloadError) throw error;
    const reason =
      error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    throw new DownloadError(url, `${reason} after ${bytesOnDisk} of ${expectedSize} bytes; run again to resume`, {
      cause: error,
      retryable: true,
    });
  } finally {
    clearTimeout(stallTimer);
    await handle?.close();
  }
}

/** Follows redirects by hand; `commit` is the first `X-Repo-Commit` seen (the hub sends it, the CDN does not). */
async function fetchFollowingRedirects(
  request: DownloadFileRequest,
  offset: number,
  signal: AbortSignal,
): Promise<{ response: Response; commit: string | undefined }> {
  const fetchImplementation = request.fetch ?? fetch;
  let current = new URL(request.url);
  let commit: string | undefined;
  for (let hop = 0; hop <= maximumRedirects; hop += 1) {
    const headers = new Headers({ accept: '*/*', 'accept-encoding': 'identity' });
    if (offset > 0) headers.set('range', `bytes=${offset}-`);
    if (request.token && current.origin === request.tokenOrigin)
      headers.set('authorization', `Bearer ${request.token}`);
    const response = await fetchImplementation(current, { headers, signal, redirect: 'manual' });
    commit ??= response.headers.get('x-repo-commit') ?? undefined;
    if (response.status < 300 || response.status > 399 || response.status === 304) return { response, commit };
    const location = response.headers.get('location');
    await response.body?.cancel();
    if (!location)
      throw new DownloadError(request.url, `HTTP ${response.status} redirect without a Location header`, {
        retryable: true,
      });
    const next = new URL(location, current);
    if (next.protocol !== 'https:' && next.protocol !== 'http:') {
      throw new DownloadError(request.url, `refusing a redirect to ${next.protocol} URL`);
    }
    if (current.protocol === 'https:' && next.protocol === 'http:') {
      throw new DownloadError(request.url, 'refusing a redirect from https to http');
    }
    current = next;
  }
  throw new DownloadError(request.url, `more than ${maximumRedirects} redirects`);
}

function httpError(url: string, status: number): DownloadError {
  if (status === 401 || status === 403) {
    return new DownloadError(
      url,
      `HTTP ${status}: access denied; set HF_TOKEN to a token that can read this repository`,
    );
  }
  if (status === 404) return new DownloadError(url, 'HTTP 404: file not found at this revision');
  return new DownloadError(url, `HTTP ${status}`, { retryable: status >= 500 || status === 429 || status === 408 });
}

async function sizeOf(path: string): Promise<number> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : 0;
  } catch {
    return 0;
  }
}

async function hashFilePrefix(path: string, length: number, hash: Hash, signal?: AbortSignal): Promise<void> {
  if (length === 0) return;
  const stream = createReadStream(path, { start: 0, end: length - 1, highWaterMark: 1 << 20, signal });
  for await (const chunk of stream as AsyncIterable<Buffer>) hash.update(chunk);
}

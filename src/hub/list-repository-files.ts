/**
 * @file Lists every file of a hub repository at a revision through the hub's tree API
 * (`GET {endpoint}/api/models/{repo}/tree/{revision}?recursive=true`, paginated by `Link: <…>; rel="next"`), using
 * `listFiles` from `@huggingface/hub` with our own fetch so the AbortSignal, a deadline and the token apply to
 * every page. Each entry's path is checked before anything else sees it.
 */
import { listFiles, type ListFileEntry } from '@huggingface/hub';
import { AbortedError, DownloadError, ModelNotFoundError, VidtokError } from '../errors/index.js';
import type { HubConnection } from './hub-endpoint.js';
import { isSafeRelativePath } from './safe-relative-path.js';

/** One file of a repository as the tree API lists it. */
export interface RepositoryFile {
  readonly path: string;
  readonly size: number;
  /** Git blob id (sha1 of `blob {size}\0{bytes}`) for small files; for LFS files the pointer's id. */
  readonly gitObjectId: string | undefined;
  /** sha256 of the contents, for LFS (and Xet) files. */
  readonly sha256: string | undefined;
}

export interface ListRepositoryFilesOptions {
  readonly signal?: AbortSignal;
  /** Deadline for each page request, in milliseconds (default 60 000). */
  readonly requestTimeoutMs?: number;
}

/** Lists the files (not folders) of `repositoryId` at `revision`; throws typed errors for every failure. */
export async function listRepositoryFiles(
  connection: HubConnection,
  repositoryId: string,
  revision: string,
  options: ListRepositoryFilesOptions = {},
): Promise<RepositoryFile[]> {
  const listingUrl = `${connection.endpoint}/api/models/${repositoryId}/tree/${encodeURIComponent(revision)}`;
  const requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
  const origin = new URL(connection.endpoint).origin;
  const fetchWithSignal: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    const target = new URL(input instanceof Request ? input.url : String(input));
    if (connection.token && target.origin === origin) headers.set('authorization', `Bearer ${connection.token}`);
    const signals = [AbortSignal.timeout(requestTimeoutMs), ...(options.signal ? [options.signal] : [])];
    return connection.fetch(input, { ...init, headers, signal: AbortSignal.any(signals) });
  };
  const files: RepositoryFile[] = [];
  try {
    const entries = listFiles({
      repo: { type: 'model', name: repositoryId },
      revision: encodeURIComponent(revision),
      recursive: true,
      hubUrl: connection.endpoint,
      fetch: fetchWithSignal,
    });
    for await (const entry of entries) {
      const file = toRepositoryFile(entry, listingUrl);
      if (file) files.push(file);
    }
  } catch (error) {
    throw listingError(error, connection, repositoryId, revision, listingUrl, options.signal);
  }
  return files;
}

function toRepositoryFile(entry: ListFileEntry, listingUrl: string): RepositoryFile | undefined {
  if (typeof entry !== 'object' || entry === null || typeof entry.path !== 'string') {
    throw new DownloadError(listingUrl, 'the tree listing has an entry without a path');
  }
  if (!isSafeRelativePath(entry.path)) {
    throw new DownloadError(listingUrl, `refusing unsafe file path ${JSON.stringify(entry.path)} listed by the server`);
  }
  if (entry.type !== 'file') return undefined;
  const size = entry.lfs?.size ?? entry.size;
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new DownloadError(listingUrl, `the tree listing gives ${JSON.stringify(entry.path)} an invalid size`);
  }
  const sha256 = entry.lfs?.oid?.toLowerCase();
  if (sha256 !== undefined && !/^[0-9a-f]{64}$/.test(sha256)) {
    throw new DownloadError(listingUrl, `the tree listing gives ${JSON.stringify(entry.path)} an invalid sha256`);
  }
  const gitObjectId =
    typeof entry.oid === 'string' && /^[0-9a-f]{40}$/i.test(entry.oid) ? entry.oid.toLowerCase() : undefined;
  return { path: entry.path, size, gitObjectId, sha256 };
}

function listingError(
  error: unknown,
  connection: HubConnection,
  repositoryId: string,
  revision: string,
  listingUrl: string,
  signal: AbortSignal | undefined,
): VidtokError {
  if (VidtokError.isInstance(error)) return error;
  if (signal?.aborted) return new AbortedError(`listing ${repositoryId}`, { cause: error });
  const status = (error as { statusCode?: unknown }).statusCode;
  const message = error instanceof Error ? (error.message.split('. URL:')[0] ?? error.message) : String(error);
  if (typeof status === 'number') {
    if (status === 404 && /revision|rev id/i.test(message)) {
      return new ModelNotFoundError(
        `${repositoryId}@${revision}`,
        `revision '${revision}' not found on ${connection.endpoint}`,
        { cause: error },
      );
    }
    if (status === 404 || status === 401 || status === 403) {
      const hint = connection.token
        ? 'check the name and that HF_TOKEN grants access'
        : 'check the name, or set HF_TOKEN for a private or gated repository';
      return new ModelNotFoundError(
        repositoryId,
        `repository not found on ${connection.endpoint} (HTTP ${status}); ${hint}`,
        { cause: error },
      );
    }
    return new DownloadError(listingUrl, `HTTP ${status}: ${message}`, {
      cause: error,
      retryable: status >= 500 || status === 429,
    });
  }
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new DownloadError(listingUrl, 'the tree listing timed out', { cause: error, retryable: true });
  }
  const reason =
    error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
  return new DownloadError(listingUrl, `cannot list files: ${reason}`, { cause: error, retryable: true });
}

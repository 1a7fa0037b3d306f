/**
 * @file Resolves a revision (branch, tag, `refs/pr/N`) to the commit it points at, once per pull, through the hub's
 * model API (`GET {endpoint}/api/models/{repo}/revision/{revision}` → `{sha}`), so the listing and every download
 * then address that commit and a push during the pull cannot mix two versions. A 40-hex revision is a commit already.
 */
import { AbortedError, DownloadError, ModelNotFoundError } from '../errors/index.js';
import type { HubConnection } from './hub-endpoint.js';

export interface ResolveRevisionOptions {
  readonly signal?: AbortSignal;
  /** Deadline of the request in milliseconds (default 60 000). */
  readonly requestTimeoutMs?: number;
}

const commitPattern = /^[0-9a-f]{40}$/i;

/** The commit `revision` of `repositoryId` points at; typed errors for every failure (5xx and network: retryable). */
export async function resolveRevisionCommit(
  connection: HubConnection,
  repositoryId: string,
  revision: string,
  options: ResolveRevisionOptions = {},
): Promise<string> {
  if (commitPattern.test(revision)) return revision.toLowerCase();
  const url = `${connection.endpoint}/api/models/${repositoryId}/revision/${encodeURIComponent(revision)}`;
  const headers = new Headers({ accept: 'application/json' });
  if (connection.token) headers.set('authorization', `Bearer ${connection.token}`);
  const signal = AbortSignal.any([
    AbortSignal.timeout(options.requestTimeoutMs ?? 60_000),
    ...(options.signal ? [options.signal] : []),
  ]);
  let response: Response;
  try {
    response = await connection.fetch(url, { headers, signal });
  } catch (error) {
    if (options.signal?.aborted) throw new AbortedError(`resolving ${repositoryId}@${revision}`, { cause: error });
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    const reason = timedOut
      ? 'timed out'
      : error instanceof Error
        ? ((error.cause as Error | undefined)?.message ?? error.message)
        : String(error);
    throw new DownloadError(url, `cannot resolve revision '${revision}': ${reason}`, { cause: error, retryable: true });
  }
  if (!response.ok) {
    await response.body?.cancel();
    const code = response.headers.get('x-error-code');
    if (response.status === 404 && code === 'RevisionNotFound') {
      throw new ModelNotFoundError(
        `${repositoryId}@${revision}`,
        `revision '${revision}' not found on ${connection.endpoint}`,
      );
    }
    if (response.status === 404 || response.status === 401 || response.status === 403) {
      const hint = connection.token
        ? 'check the name and that HF_TOKEN grants access'
        : 'check the name, or set HF_TOKEN for a private or gated repository';
      throw new ModelNotFoundError(
        repositoryId,
        `repository not found on ${connection.endpoint} (HTTP ${response.status}); ${hint}`,
      );
    }
    throw new DownloadError(url, `HTTP ${response.status} resolving revision '${revision}'`, {
      retryable: response.status >= 500 || response.status === 429,
    });
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw new DownloadError(url, `the revision answer is not JSON: ${(error as Error).message}`, {
      cause: error,
      retryable: true,
    });
  }
  const sha = (body as { sha?: unknown } | null)?.sha;
  if (typeof sha !== 'string' || !commitPattern.test(sha))
    throw new DownloadError(url, `the revision answer has no commit sha (got ${JSON.stringify(sha)})`);
  return sha.toLowerCase();
}

/**
 * @file `pullModel`: downloads the files a model needs for the chosen dtypes into the cache. The revision is resolved
 * to a commit once (retried on 5xx and dropped connections, as the listing is), and the listing and every download
 * address that commit, so a push during the pull cannot mix two versions. Files are assembled in
 * `owner--name/.incomplete-<revision>/` (each in-flight file as `<name>.partial`, resumed on the next run), every
 * file is checked against the size and checksum of the hub's tree listing, files of the existing snapshot whose
 * checksum did not change are hard-linked instead of fetched again, and the snapshot folder is swapped into place
 * only when everything verified. For LLaVA-OneVision, image_newline is read from model.safetensors with range
 * requests (video-newline.ts).
 */
import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError, DownloadError, throwIfAborted, VidtokError } from '../errors/index.js';
import {
  incompleteDirectory,
  manifestFileName,
  repositoryCacheDirectory,
  resolveCacheDirectory,
  snapshotDirectory,
  type CacheDirectoryOptions,
} from './cache-directory.js';
import { downloadFile, fileMatchesChecksum, type ExpectedChecksum } from './download-file.js';
import { resolveFileUrl, resolveHubConnection, type HubConnectionOptions } from './hub-endpoint.js';
import { listRepositoryFiles, type RepositoryFile } from './list-repository-files.js';
import { fallbackDtypes, findModelAlias } from './model-aliases.js';
import { parseDtypeOption, type GraphDtypes } from './model-dtypes.js';
import {
  manifestEntryOf,
  readModelManifest,
  sameManifestEntry,
  type ManifestFile,
  type ModelManifest,
} from './model-manifest.js';
import { acquirePullLock } from './pull-lock.js';
import type { PullProgressListener } from './pull-progress.js';
import { repositoryIdOf, validateRevision } from './repository-reference.js';
import { resolveRevisionCommit } from './resolve-revision.js';
import { resolveInside } from './safe-relative-path.js';
import { selectModelFiles } from './select-model-files.js';
import {
  fetchVideoNewline,
  videoNewlineCurrent,
  videoNewlineFileName,
  videoNewlineSource,
  type DerivedFile,
} from './video-newline.js';

export interface PullModelOptions extends CacheDirectoryOptions, HubConnectionOptions {
  /** `q4`, `embed_tokens=fp16,vision_encoder=q4,…`, or per-graph dtypes; defaults to the alias's dtypes. */
  readonly dtype?: string | GraphDtypes;
  /** Branch, tag, commit or `refs/pr/N`; default `main`. */
  readonly revision?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: PullProgressListener;
  /** How often a file is tried again after a retryable failure within this call (default 2). */
  readonly retries?: number;
  /** First retry delay in milliseconds, doubled each time (default 1000). */
  readonly retryDelayMs?: number;
  /** A download fails (retryable) when no byte arrives for this long (default 60 000 ms). */
  readonly stallTimeoutMs?: number;
}

export interface PulledFile {
  readonly path: string;
  readonly size: number;
  /** How the file got into the snapshot. */
  readonly source: 'downloaded' | 'resumed' | 'kept';
}

export interface PullModelResult {
  readonly repositoryId: string;
  readonly revision: string;
  readonly commit: string | undefined;
  /** Absolute snapshot folder: pass it to the runtime. */
  readonly directory: string;
  readonly dtypes: GraphDtypes;
  readonly files: readonly PulledFile[];
  /** Bytes received over the network by this call. */
  readonly downloadedBytes: number;
  /** True when every selected file was already in the snapshot with the same checksum. */
  readonly upToDate: boolean;
}

/** Pulls `model` (an alias or `owner/name`) into the cache; see the file comment. */
export async function pullModel(model: string, options: PullModelOptions = {}): Promise<PullModelResult> {
  const alias = findModelAlias(model);
  const repositoryId = repositoryIdOf(model);
  const revision = validateRevision(options.revision ?? 'main');
  const defaults = alias?.defaultDtypes ?? fallbackDtypes;
  const dtypes =
    options.dtype === undefined
      ? defaults
      : typeof options.dtype === 'string'
        ? parseDtypeOption(options.dtype, defaults)
        : options.dtype;
  const connection = resolveHubConnection(options);
  const cacheRoot = resolveCacheDirectory(options);
  const signal = options.signal;
  const report = options.onProgress ?? (() => undefined);

  report({ type: 'listing', repositoryId, revision, endpoint: connection.endpoint });
  // Pin the commit once; the listing and every download then address it, so a push mid-pull cannot mix versions.
  const pinned = await withRetries(options, `resolving ${revision}`, () =>
    resolveRevisionCommit(connection, repositoryId, revision, { signal }),
  );
  const listed = await withRetries(options, 'the file listing', () =>
    listRepositoryFiles(connection, repositoryId, pinned, { signal }),
  );
  const selected = selectModelFiles(listed, dtypes, repositoryId);

  const snapshot = snapshotDirectory(cacheRoot, repositoryId, revision);
  const previous = await readModelManifest(snapshot);
  const keptFromSnapshot = new Set<string>();
  for (const file of selected) {
    if (await snapshotHolds(snapshot, previous, file)) keptFromSnapshot.add(file.path);
  }
  const totalBytes = sum(selected.map((file) => file.size));
  const newlineSource = previous ? await videoNewlineSource(join(snapshot, 'config.json'), listed) : undefined;
  const newlineKept =
    newlineSource === undefined ||
    (videoNewlineCurrent(previous?.derived?.[videoNewlineFileName], newlineSource.file) &&
      (await sizeOf(join(snapshot, videoNewlineFileName))) === previous?.derived?.[videoNewlineFileName]?.size);
  if (previous && previous.commit === pinned && keptFromSnapshot.size === selected.length && newlineKept) {
    report({ type: 'plan', files: selected.length, totalBytes, downloadFiles: 0, downloadBytes: 0 });
    report({ type: 'done', directory: snapshot, downloadedBytes: 0 });
    return {
      repositoryId,
      revision,
      commit: pinned,
      directory: snapshot,
      dtypes,
      files: selected.map((file) => ({ path: file.path, size: file.size, source: 'kept' as const })),
      downloadedBytes: 0,
      upToDate: true,
    };
  }

  const repositoryFolder = repositoryCacheDirectory(cacheRoot, repositoryId);
  const staging = incompleteDirectory(cacheRoot, repositoryId, revision);
  await mkdir(staging, { recursive: true });
  const lock = await acquirePullLock(`${staging}.lock`, `${repositoryId}@${revision}`);
  try {
    await removeLeftoverTrash(repositoryFolder);
    const toFetch = selected.filter((file) => !keptFromSnapshot.has(file.path));
    report({
      type: 'plan',
      files: selected.length,
      totalBytes,
      downloadFiles: toFetch.length,
      downloadBytes: sum(toFetch.map((file) => file.size)),
    });
    const files: PulledFile[] = [];
    const manifestFiles: Record<string, ManifestFile> = {};
    // Keep every file of the existing snapshot (other dtypes too) unless the listing says it changed.
    const listedByPath = new Map(listed.map((file) => [file.path, file]));
    for (const [path, entry] of Object.entries(previous?.files ?? {})) {
      const listedFile = listedByPath.get(path);
      if (listedFile && !sameManifestEntry(entry, manifestEntryOf(listedFile))) continue;
      const source = resolveInside(snapshot, path, snapshot);
      if ((await sizeOf(source)) !== entry.size) continue;
      await linkOrCopy(source, resolveInside(staging, path, staging));
      manifestFiles[path] = entry;
    }
    let doneBytes = sum(selected.filter((file) => keptFromSnapshot.has(file.path)).map((file) => file.size));
    let downloadedBytes = 0;
    for (const file of selected) {
      throwIfAborted(signal, `pull of ${repositoryId}`);
      if (keptFromSnapshot.has(file.path)) {
        files.push({ path: file.path, size: file.size, source: 'kept' });
        continue;
      }
      const url = resolveFileUrl(connection.endpoint, repositoryId, pinned, file.path);
      const target = resolveInside(staging, file.path, url);
      const checksum = checksumOf(file);
      if (await fileMatchesChecksum(target, file.size, checksum, signal)) {
        // Finished and verified by an earlier, interrupted run.
        files.push({ path: file.path, size: file.size, source: 'resumed' });
      } else {
        await rm(target, { force: true });
        await mkdir(dirname(target), { recursive: true });
        const partial = `${target}.partial`;
        const outcome = await downloadWithRetries(
          options,
          file,
          async () =>
            downloadFile({
              url,
              partialPath: partial,
              expectedSize: file.size,
              checksum,
              token: connection.token,
              tokenOrigin: new URL(connection.endpoint).origin,
              fetch: connection.fetch,
              signal,
              stallTimeoutMs: options.stallTimeoutMs,
              onBytes: (fileBytes) =>
                report({
                  type: 'bytes',
                  path: file.path,
                  fileBytes,
                  size: file.size,
                  doneBytes: doneBytes + fileBytes,
                  totalBytes,
                }),
            }),
          (resumeFrom) => report({ type: 'file-start', path: file.path, size: file.size, resumeFrom }),
          partial,
        );
        if (outcome.commit !== undefined && outcome.commit.toLowerCase() !== pinned) {
          await rm(partial, { force: true });
          throw new DownloadError(url, `the hub served commit ${outcome.commit} while the pull is pinned to ${pinned}`);
        }
        await rename(partial, target);
        downloadedBytes += outcome.receivedBytes;
        files.push({ path: file.path, size: file.size, source: outcome.resumedFrom > 0 ? 'resumed' : 'downloaded' });
      }
      doneBytes += file.size;
      manifestFiles[file.path] = manifestEntryOf(file);
      report({
        type: 'file-done',
        path: file.path,
        size: file.size,
        verifiedWith: checksum.algorithm === 'none' ? 'size' : checksum.algorithm,
      });
    }
    const derived: Record<string, DerivedFile> = {};
    const stagedNewline = await videoNewlineSource(join(staging, 'config.json'), listed);
    if (stagedNewline !== undefined) {
      throwIfAborted(signal, `pull of ${repositoryId}`);
      const previousEntry = previous?.derived?.[videoNewlineFileName];
      const from = stagedNewline.file.path;
      if (
        videoNewlineCurrent(previousEntry, stagedNewline.file) &&
        (await sizeOf(join(snapshot, videoNewlineFileName))) === previousEntry?.size
      ) {
        await linkOrCopy(join(snapshot, videoNewlineFileName), join(staging, videoNewlineFileName));
        derived[videoNewlineFileName] = previousEntry!;
        report({ type: 'derived', path: videoNewlineFileName, from, outcome: 'reused' });
      } else {
        const entry = await fetchVideoNewline({
          connection,
          repositoryId,
          revision: pinned,
          hidden: stagedNewline.hidden,
          file: stagedNewline.file,
          folder: staging,
          ...(signal ? { signal } : {}),
        });
        if (entry !== undefined) derived[videoNewlineFileName] = entry;
        report({
          type: 'derived',
          path: videoNewlineFileName,
          from,
          outcome: entry === undefined ? 'missing' : 'fetched',
        });
      }
    }
    const manifest: ModelManifest = {
      format: 1,
      repositoryId,
      revision,
      commit: pinned,
      endpoint: connection.endpoint,
      pulledAt: new Date().toISOString(),
      files: manifestFiles,
      ...(Object.keys(derived).length > 0 ? { derived } : {}),
    };
    await pruneUnlisted(staging, new Set([...Object.keys(manifestFiles), ...Object.keys(derived), manifestFileName]));
    await writeFile(join(staging, manifestFileName), `${JSON.stringify(manifest, null, 2)}\n`);
    throwIfAborted(signal, `pull of ${repositoryId}`);
    await swapIntoPlace(staging, snapshot, repositoryFolder);
    report({ type: 'done', directory: snapshot, downloadedBytes });
    return {
      repositoryId,
      revision,
      commit: manifest.commit,
      directory: snapshot,
      dtypes,
      files,
      downloadedBytes,
      upToDate: false,
    };
  } finally {
    await lock.release();
  }
}

/** The checksum the listing gives a file: sha256 for LFS files, the git blob id for the rest. */
export function checksumOf(file: RepositoryFile): ExpectedChecksum {
  if (file.sha256) return { algorithm: 'sha256', hex: file.sha256 };
  if (file.gitObjectId) return { algorithm: 'git-sha1', hex: file.gitObjectId };
  return { algorithm: 'none' };
}

/** Runs a listing-side request, trying again after a retryable failure (5xx, dropped connection) as downloads do. */
async function withRetries<T>(options: PullModelOptions, what: string, attempt: () => Promise<T>): Promise<T> {
  const retries = Math.max(0, options.retries ?? 2);
  let delayMs = options.retryDelayMs ?? 1000;
  for (let tries = 0; ; tries += 1) {
    try {
      return await attempt();
    } catch (error) {
      const retryable = VidtokError.isInstance(error) && error.retryable && !(error instanceof AbortedError);
      if (!retryable || tries >= retries) throw error;
      options.onProgress?.({
        type: 'retry',
        path: what,
        attempt: tries + 1,
        delayMs,
        reason: (error as Error).message,
      });
      await sleep(delayMs, undefined, { signal: options.signal }).catch((cause: unknown) => {
        throw new AbortedError(what, { cause });
      });
      delayMs *= 2;
    }
  }
}

async function downloadWithRetries<T extends { resumedFrom: number }>(
  options: PullModelOptions,
  file: RepositoryFile,
  attempt: () => Promise<T>,
  onStart: (resumeFrom: number) => void,
  partial: string,
): Promise<T> {
  const retries = Math.max(0, options.retries ?? 2);
  let delayMs = options.retryDelayMs ?? 1000;
  for (let tries = 0; ; tries += 1) {
    onStart(await sizeOf(partial));
    try {
      return await attempt();
    } catch (error) {
      const retryable = VidtokError.isInstance(error) && error.retryable && !(error instanceof AbortedError);
      if (!retryable || tries >= retries) throw error;
      options.onProgress?.({
        type: 'retry',
        path: file.path,
        attempt: tries + 1,
        delayMs,
        reason: (error as Error).message,
      });
      await sleep(delayMs, undefined, { signal: options.signal }).catch((cause: unknown) => {
        throw new AbortedError(`download of ${file.path}`, { cause });
      });
      delayMs *= 2;
    }
  }
}

async function snapshotHolds(
  snapshot: string,
  manifest: ModelManifest | undefined,
  file: RepositoryFile,
): Promise<boolean> {
  if (!manifest) return false;
  if (!sameManifestEntry(manifest.files[file.path], manifestEntryOf(file))) return false;
  return (await sizeOf(resolveInside(snapshot, file.path, snapshot))) === file.size;
}

/** Moves `staging` to `snapshot`; an existing snapshot is moved aside first and deleted after. */
async function swapIntoPlace(staging: string, snapshot: string, repositoryFolder: string): Promise<void> {
  const trash = join(repositoryFolder, `.trash-${randomBytes(6).toString('hex')}`);
  const hadSnapshot = await exists(snapshot);
  if (hadSnapshot) await rename(snapshot, trash);
  try {
    await rename(staging, snapshot);
  } catch (error) {
    if (hadSnapshot) await rename(trash, snapshot).catch(() => undefined);
    throw new DownloadError(snapshot, `cannot move the verified files into place: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (hadSnapshot) await rm(trash, { recursive: true, force: true });
}

/** Deletes files in `folder` that are not in `keep` (left-overs of other dtypes, stray `.partial` files). */
async function pruneUnlisted(folder: string, keep: ReadonlySet<string>): Promise<void> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    const absolute = join(entry.parentPath ?? entry.path, entry.name);
    const path = relative(folder, absolute).split(sep).join('/');
    if (!keep.has(path)) await rm(absolute, { force: true });
  }
}

/** Deletes `.trash-*` folders a crash left between moving the old snapshot aside and deleting it. */
async function removeLeftoverTrash(repositoryFolder: string): Promise<void> {
  for (const name of await readdir(repositoryFolder).catch(() => [] as string[])) {
    if (name.startsWith('.trash-')) await rm(join(repositoryFolder, name), { recursive: true, force: true });
  }
}

async function linkOrCopy(source: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  await rm(target, { force: true });
  try {
    await link(source, target);
  } catch {
    await copyFile(source, target);
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : -1;
  } catch {
    return -1;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

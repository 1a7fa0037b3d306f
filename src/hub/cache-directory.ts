/**
 * @file Where models live on disk. The cache root is `--cache-dir`, else `VIDTOK_CACHE_DIR`, else
 * `~/.cache/vidtok/models`. Inside it each repository has a folder `owner--name/` holding one snapshot folder per
 * revision (`main/`, `refs--pr--1/`); a pull assembles files in `owner--name/.incomplete-<revision>/` and renames it
 * into place only when every file verified.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors/index.js';
import { repositoryFolderName, revisionFolderName } from './repository-reference.js';

export interface CacheDirectoryOptions {
  /** Explicit cache root (`--cache-dir`); wins over the environment. */
  readonly cacheDirectory?: string;
  /** Environment to read `VIDTOK_CACHE_DIR` from; defaults to `process.env`. */
  readonly environment?: Readonly<Record<string, string | undefined>>;
}

/** The name of the manifest each snapshot folder carries. */
export const manifestFileName = '.vidtok-model.json';

/** The absolute cache root. */
export function resolveCacheDirectory(options: CacheDirectoryOptions = {}): string {
  const environment = options.environment ?? process.env;
  const chosen = options.cacheDirectory ?? environment.VIDTOK_CACHE_DIR;
  if (chosen !== undefined) {
    if (chosen.trim() === '') throw new UsageError('--cache-dir: the cache directory must not be empty');
    return resolve(chosen.startsWith('~/') ? join(homedir(), chosen.slice(2)) : chosen);
  }
  return join(homedir(), '.cache', 'vidtok', 'models');
}

/** The folder of one repository in the cache. */
export function repositoryCacheDirectory(cacheRoot: string, repositoryId: string): string {
  return join(cacheRoot, repositoryFolderName(repositoryId));
}

/** The snapshot folder of one revision: the directory the runtime loads. */
export function snapshotDirectory(cacheRoot: string, repositoryId: string, revision: string): string {
  return join(repositoryCacheDirectory(cacheRoot, repositoryId), revisionFolderName(revision));
}

/** The folder a pull assembles files in (and keeps `.partial` files in between runs). */
export function incompleteDirectory(cacheRoot: string, repositoryId: string, revision: string): string {
  return join(repositoryCacheDirectory(cacheRoot, repositoryId), `.incomplete-${revisionFolderName(revision)}`);
}

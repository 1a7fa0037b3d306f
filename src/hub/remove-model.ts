/**
 * @file `removeCachedModel`: deletes a model from the cache, every revision (and unfinished pull) or just one.
 * The folder is renamed aside first so a half-deleted model is never loadable.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelNotFoundError } from '../errors/index.js';
import {
  incompleteDirectory,
  repositoryCacheDirectory,
  resolveCacheDirectory,
  snapshotDirectory,
  type CacheDirectoryOptions,
} from './cache-directory.js';
import { folderSize } from './folder-size.js';
import { repositoryIdOf, validateRevision } from './repository-reference.js';

export interface RemoveModelOptions extends CacheDirectoryOptions {
  /** Remove only this revision's snapshot (and its unfinished pull); default: the whole repository. */
  readonly revision?: string;
}

export interface RemoveModelResult {
  readonly repositoryId: string;
  readonly removedDirectory: string;
  readonly freedBytes: number;
}

/** Removes `model` (alias or `owner/name`) from the cache; ModelNotFoundError when it is not there. */
export async function removeCachedModel(model: string, options: RemoveModelOptions = {}): Promise<RemoveModelResult> {
  const repositoryId = repositoryIdOf(model);
  const cacheRoot = resolveCacheDirectory(options);
  const repositoryFolder = repositoryCacheDirectory(cacheRoot, repositoryId);
  const targets =
    options.revision === undefined
      ? [repositoryFolder]
      : [
          snapshotDirectory(cacheRoot, repositoryId, validateRevision(options.revision)),
          incompleteDirectory(cacheRoot, repositoryId, options.revision),
        ];
  const present: string[] = [];
  for (const target of targets) if (await isDirectory(target)) present.push(target);
  if (present.length === 0) {
    const what = options.revision === undefined ? model : `${model}@${options.revision}`;
    throw new ModelNotFoundError(
      what,
      `not in the model cache (${cacheRoot}); 'vidtok models list' shows what is there`,
    );
  }
  let freedBytes = 0;
  for (const target of present) {
    freedBytes += await folderSize(target);
    const aside = join(repositoryFolder, '..', `.removing-${randomBytes(6).toString('hex')}`);
    await rename(target, aside);
    await rm(aside, { recursive: true, force: true });
  }
  return { repositoryId, removedDirectory: present[0] ?? repositoryFolder, freedBytes };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

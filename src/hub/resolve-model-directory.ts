/**
 * @file `resolveModelDirectory`: the one way the runtime finds a model. A path (`./dir`, `/abs/dir`, `~/dir`, or
 * any existing directory) is used as-is when it holds a `config.json`; an alias or `owner/name` is looked up in the
 * cache only, never downloaded. Anything else throws ModelNotFoundError saying how to pull it.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ModelNotFoundError } from '../errors/index.js';
import {
  repositoryCacheDirectory,
  resolveCacheDirectory,
  snapshotDirectory,
  type CacheDirectoryOptions,
} from './cache-directory.js';
import { findModelAlias } from './model-aliases.js';
import { isRepositoryId, validateRevision } from './repository-reference.js';

export interface ResolveModelDirectoryOptions extends CacheDirectoryOptions {
  /** Which cached revision to use; default `main`, else the only (or newest) cached one. */
  readonly revision?: string;
  /** Base for relative paths; default `process.cwd()`. */
  readonly workingDirectory?: string;
}

/** The absolute directory of `model` (alias, `owner/name`, or a directory path). */
export async function resolveModelDirectory(
  model: string,
  options: ResolveModelDirectoryOptions = {},
): Promise<string> {
  if (model.trim() === '')
    throw new ModelNotFoundError("''", 'no model named; pass an alias, owner/name or a directory');
  const alias = findModelAlias(model);
  const looksLikePath = /^(\.{1,2}([/\\]|$)|~([/\\]|$)|[/\\])/.test(model) || isAbsolute(model);
  if (!alias && (looksLikePath || !isRepositoryId(model))) return modelDirectoryAt(model, options);
  const repositoryId = alias?.repositoryId ?? model;
  const cacheRoot = resolveCacheDirectory(options);
  const pullHint = `run: vidtok models pull ${alias?.alias ?? repositoryId}${options.revision ? ` --revision ${options.revision}` : ''}`;
  const candidate = await cachedSnapshot(cacheRoot, repositoryId, options.revision);
  if (candidate && (await hasConfig(candidate))) return realpath(candidate);
  if (!alias) {
    // `owner/name` may also be a relative directory the user made.
    const local = resolve(options.workingDirectory ?? process.cwd(), model);
    if (await hasConfig(local)) return realpath(local);
  }
  throw new ModelNotFoundError(model, `not in the model cache (${cacheRoot}); ${pullHint}`);
}

async function modelDirectoryAt(path: string, options: ResolveModelDirectoryOptions): Promise<string> {
  const expanded = path === '~' || /^~[/\\]/.test(path) ? join(homedir(), path.slice(1)) : path;
  const absolute = resolve(options.workingDirectory ?? process.cwd(), expanded);
  let isDirectory = false;
  try {
    isDirectory = (await stat(absolute)).isDirectory();
  } catch {
    throw new ModelNotFoundError(
      path,
      'no such directory; name a model directory, or an alias to pull (vidtok models list --aliases)',
    );
  }
  if (!isDirectory)
    throw new ModelNotFoundError(path, 'not a directory; a model is a folder with config.json and onnx/');
  if (!(await hasConfig(absolute)))
    throw new ModelNotFoundError(path, 'the directory has no config.json; it is not a model export');
  return realpath(absolute);
}

async function cachedSnapshot(
  cacheRoot: string,
  repositoryId: string,
  revision: string | undefined,
): Promise<string | undefined> {
  if (revision !== undefined) return snapshotDirectory(cacheRoot, repositoryId, validateRevision(revision));
  const main = snapshotDirectory(cacheRoot, repositoryId, 'main');
  if (await hasConfig(main)) return main;
  const folder = repositoryCacheDirectory(cacheRoot, repositoryId);
  let newest: { directory: string; time: number } | undefined;
  for (const name of await readdir(folder).catch(() => [] as string[])) {
    if (name.startsWith('.')) continue;
    const directory = join(folder, name);
    const time = await stat(join(directory, 'config.json')).then(
      (info) => info.mtimeMs,
      () => undefined,
    );
    if (time !== undefined && (!newest || time > newest.time)) newest = { directory, time };
  }
  return newest?.directory;
}

async function hasConfig(directory: string): Promise<boolean> {
  try {
    return (await stat(join(directory, 'config.json'))).isFile();
  } catch {
    return false;
  }
}

/**
 * @file Turns a file path listed by a hub server (untrusted) into a path inside a folder we own. Rejects absolute
 * paths, drive letters, backslashes, `.`/`..` segments, empty segments, control characters and anything that would
 * resolve outside the folder.
 */
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { DownloadError } from '../errors/index.js';

/** True when `path` is a plain relative `a/b/c` path that stays inside any folder it is joined to. */
export function isSafeRelativePath(path: string): boolean {
  if (path.length === 0 || path.length > 1024) return false;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what this check refuses
  if (/[\u0000-\u001f\u007f\\:]/.test(path)) return false;
  if (path.startsWith('/') || isAbsolute(path)) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/**
 * The absolute path of `path` inside `root`. Throws DownloadError naming `source` (the URL that listed it) when the
 * path is unsafe or escapes `root`.
 */
export function resolveInside(root: string, path: string, source: string): string {
  if (!isSafeRelativePath(path)) {
    throw new DownloadError(source, `refusing unsafe file path ${JSON.stringify(path)} listed by the server`);
  }
  const absoluteRoot = resolve(root);
  const target = resolve(join(absoluteRoot, ...path.split('/')));
  const back = relative(absoluteRoot, target);
  if (back === '' || back.startsWith('..') || isAbsolute(back) || !target.startsWith(absoluteRoot + sep)) {
    throw new DownloadError(source, `refusing file path ${JSON.stringify(path)}: it escapes the snapshot folder`);
  }
  return target;
}

/**
 * @file Expands batch inputs (`<inputs...|dir|@list.txt>`) into a list of video files.
 *
 * - a file is taken as is (any extension: the user named it);
 * - a directory gives its files with a video extension, sorted by name, non-recursive unless `recursive`
 *   (hidden entries are skipped);
 * - `@list.txt` gives one path per line, relative paths resolved against the list's directory; blank lines and
 *   lines starting with `#` are ignored; entries are expanded by the same rules (a directory in a list works);
 * - anything missing or unreadable becomes a `failed` entry with its reason instead of an exception;
 * - duplicates (same absolute path) are kept once, in first-seen order.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { AbortedError } from '../errors/index.js';

/** Extensions treated as video when a directory is expanded (lower case, with the dot). */
export const videoExtensions: ReadonlySet<string> = new Set([
  '.mp4',
  '.m4v',
  '.mov',
  '.mkv',
  '.webm',
  '.avi',
  '.mpg',
  '.mpeg',
  '.ts',
  '.mts',
  '.m2ts',
  '.flv',
  '.wmv',
  '.3gp',
  '.ogv',
]);

export interface InputFailure {
  /** The entry as written by the user (or the list line). */
  readonly input: string;
  readonly reason: string;
}

export interface ExpandedInputs {
  /** Absolute paths of the files to process. */
  readonly files: string[];
  readonly failures: InputFailure[];
}

export interface ExpandInputsOptions {
  readonly recursive?: boolean;
  readonly signal?: AbortSignal;
  /** Base for relative paths (default: the current directory). */
  readonly cwd?: string;
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return code ?? (error instanceof Error ? error.message : String(error));
}

/** Expands inputs; never throws for a bad entry (only on abort). */
export async function expandInputs(
  entries: readonly string[],
  options: ExpandInputsOptions = {},
): Promise<ExpandedInputs> {
  const files: string[] = [];
  const failures: InputFailure[] = [];
  const seen = new Set<string>();
  const add = (path: string): void => {
    if (!seen.has(path)) {
      seen.add(path);
      files.push(path);
    }
  };
  const checkAbort = (): void => {
    if (options.signal?.aborted) throw new AbortedError('expand inputs', { cause: options.signal.reason });
  };

  const walkDirectory = async (directory: string, label: string): Promise<void> => {
    checkAbort();
    let names: string[];
    try {
      names = (await readdir(directory)).sort();
    } catch (error) {
      failures.push({ input: label, reason: describe(error) });
      return;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const path = join(directory, name);
      let info;
      try {
        info = await stat(path);
      } catch {
        continue; // a dangling symlink inside a directory is not something the user named
      }
      if (info.isDirectory()) {
        if (options.recursive) await walkDirectory(path, path);
      } else if (info.isFile() && videoExtensions.has(extname(name).toLowerCase())) {
        add(path);
      }
    }
  };

  const expandOne = async (entry: string, base: string, fromList: string | undefined): Promise<void> => {
    checkAbort();
    const label = fromList === undefined ? entry : `${fromList}: ${entry}`;
    if (entry.startsWith('@') && fromList === undefined) {
      const listPath = resolve(base, entry.slice(1));
      let text: string;
      try {
        text = await readFile(listPath, 'utf8');
      } catch (error) {
        failures.push({ input: entry, reason: `list file: ${describe(error)}` });
        return;
      }
      for (const rawLine of text.split(/\r?\n/)) {
        const line = rawLine.trim();
        if (line.length === 0 || line.startsWith('#')) continue;
        await expandOne(line, dirname(listPath), entry);
      }
      return;
    }
    const path = resolve(base, entry);
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      failures.push({ input: label, reason: describe(error) });
      return;
    }
    if (info.isDirectory()) await walkDirectory(path, label);
    else if (info.isFile()) add(path);
    else failures.push({ input: label, reason: 'not a regular file or directory' });
  };

  const base = options.cwd ?? process.cwd();
  for (const entry of entries) await expandOne(entry, base, undefined);
  return { files, failures };
}

/**
 * @file Atomic file writes: the data goes to a temporary file in the destination's own directory, is flushed with
 * fsync, then renamed over the destination (and the directory is fsynced). Readers see either the old file or the
 * complete new one, never a partial file; on any failure the temporary file is removed.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AbortedError } from '../errors/index.js';

export interface AtomicWriteOptions {
  readonly signal?: AbortSignal;
  /** File mode of the new file (default 0o644, before the umask). */
  readonly mode?: number;
}

/** The temporary name used for `destination`; it starts with a dot and ends with `.tmp` so listings can skip it. */
export function temporaryPathFor(destination: string): string {
  return join(dirname(destination), `.${basename(destination)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Writes `data` to `destination` atomically (temp file in the same directory + fsync + rename). */
export async function writeFileAtomic(
  destination: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const { signal } = options;
  if (signal?.aborted) throw new AbortedError(`write ${destination}`, { cause: signal.reason });
  const temporary = temporaryPathFor(destination);
  let renamed = false;
  const handle = await open(temporary, 'wx', options.mode ?? 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    if (signal?.aborted) throw new AbortedError(`write ${destination}`, { cause: signal.reason });
    await rename(temporary, destination);
    renamed = true;
  } finally {
    await handle.close().catch(() => undefined);
    if (!renamed) await unlink(temporary).catch(() => undefined);
  }
  await syncDirectory(dirname(destination));
}

/** Flushes a directory entry change (the rename) to disk; not every platform allows opening a directory. */
async function syncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // Best effort: some filesystems refuse fsync on directories.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

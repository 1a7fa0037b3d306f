/**
 * @file A lock file per repository and revision so two pulls of the same model never write the same `.partial`
 * files. The lock holds the owner's pid; a lock whose process is gone is taken over.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { DownloadError } from '../errors/index.js';

export interface PullLock {
  release(): Promise<void>;
}

/** Takes the lock at `path` or throws DownloadError (retryable) when a live process holds it. */
export async function acquirePullLock(path: string, what: string): Promise<PullLock> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
        throw new DownloadError(
          what,
          `another vidtok process (pid ${owner}) is pulling this model; wait for it or remove ${path}`,
          { retryable: true },
        );
      }
      await rm(path, { force: true });
    }
  }
  throw new DownloadError(what, `cannot take the lock ${path}`, { retryable: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

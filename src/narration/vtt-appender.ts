/**
 * @file A WebVTT file that grows cue by cue and is valid at every moment. The file is created as `WEBVTT` alone;
 * each cue is added by copying the current file to a temporary file next to it (a kernel copy: nothing is held in
 * memory, so endless streams stay bounded), appending the cue, fsyncing and renaming over the original. A reader
 * always sees the previous or the new complete file. Cue text is escaped like src/output's WebVTT writer.
 */
import { copyFile, open, rename, unlink } from 'node:fs/promises';
import { AbortedError, UsageError } from '../errors/index.js';
import { formatTimestamp, temporaryPathFor, vttCueLines, writeFileAtomic } from '../output/index.js';

export class VttAppender {
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private cueCount = 0;

  private constructor(readonly path: string) {}

  /** Creates (or replaces) `path` with an empty WebVTT file. */
  static async create(path: string, options: { signal?: AbortSignal } = {}): Promise<VttAppender> {
    try {
      await writeFileAtomic(path, 'WEBVTT\n', options.signal ? { signal: options.signal } : {});
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === undefined) throw error;
      throw new UsageError(`${path}: cannot write the WebVTT file (${code})`, { cause: error });
    }
    return new VttAppender(path);
  }

  /** Cues written so far. */
  get cues(): number {
    return this.cueCount;
  }

  /** Adds one cue (skipped when the text has no visible line); appends are applied in call order. */
  appendCue(start: number, end: number, text: string): Promise<void> {
    if (this.closed) return Promise.reject(new AbortedError(`append to ${this.path} (closed)`));
    const lines = vttCueLines(text);
    if (lines.length === 0) return this.chain;
    const cue = `\n${formatTimestamp(start, '.')} --> ${formatTimestamp(Math.max(start, end), '.')}\n${lines.join('\n')}\n`;
    const next = this.chain.then(() => this.write(cue));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async write(cue: string): Promise<void> {
    const temporary = temporaryPathFor(this.path);
    let renamed = false;
    try {
      await copyFile(this.path, temporary);
      const handle = await open(temporary, 'a');
      try {
        await handle.appendFile(cue);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, this.path);
      renamed = true;
      this.cueCount += 1;
    } finally {
      if (!renamed) await unlink(temporary).catch(() => undefined);
    }
  }

  /** Waits for pending cues; later appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await this.chain;
  }
}

/**
 * @file `writeFrames(frames, outDir)`: writes numbered PNG/JPEG images plus `index.json` (`[{index, pts, file}]`).
 * Atomic: everything is written into a temporary directory next to the target and renamed at the end; a failed or
 * interrupted run removes the temporary directory and leaves no partial output.
 */
import { promises as fs } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { VideoFrame } from '../core/frame.js';
import { AbortedError, UsageError } from '../errors/index.js';
import { encodeRawImages, type ImageFormat } from './raw-image-encoder.js';

export interface WriteFramesOptions {
  format?: ImageFormat;
  signal?: AbortSignal;
}

export interface FrameIndexEntry {
  index: number;
  pts: number;
  file: string;
}

/** The file name of the frame at `position` in the output. */
export function frameFileName(position: number, format: ImageFormat): string {
  return `frame-${String(position).padStart(6, '0')}.${format}`;
}

async function isEmptyDirectory(path: string): Promise<boolean | undefined> {
  try {
    const stats = await fs.stat(path);
    if (!stats.isDirectory()) return false;
    return (await fs.readdir(path)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Writes `frames` as images into `outDir` (which must not exist or be empty). */
export async function writeFrames(
  frames: readonly VideoFrame[],
  outDir: string,
  options: WriteFramesOptions = {},
): Promise<void> {
  const format = options.format ?? 'png';
  const target = resolve(outDir);
  const state = await isEmptyDirectory(target);
  if (state === false) throw new UsageError(`${outDir}: output directory exists and is not empty (or is a file)`);
  await fs.mkdir(dirname(target), { recursive: true });
  const temporary = await fs.mkdtemp(join(dirname(target), `.${basename(target)}.partial-`));
  try {
    // image2 treats '%' as a pattern character; escape it in our directory part.
    const pattern = join(temporary, 'frame-%06d.' + format).replace(/%(?!06d)/g, '%%');
    let runStart = 0;
    for (let position = 1; position <= frames.length; position += 1) {
      const previous = frames[position - 1]!;
      const next = frames[position];
      if (next && next.width === previous.width && next.height === previous.height) continue;
      if (options.signal?.aborted) throw new AbortedError(`write frames to ${outDir}`);
      await encodeRawImages(frames.slice(runStart, position), pattern, {
        format,
        startNumber: runStart,
        signal: options.signal,
        operation: `write frames to ${outDir}`,
      });
      runStart = position;
    }
    const index: FrameIndexEntry[] = frames.map((frame, position) => ({
      index: frame.index,
      pts: frame.pts,
      file: frameFileName(position, format),
    }));
    await fs.writeFile(join(temporary, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
    if (options.signal?.aborted) throw new AbortedError(`write frames to ${outDir}`);
    await fs.chmod(temporary, 0o755);
    if (state === true) await fs.rmdir(target);
    await fs.rename(temporary, target);
  } catch (error) {
    await fs.rm(temporary, { recursive: true, force: true });
    throw error;
  }
}

/**
 * @file `writeContactSheet(frames, file)`: one image tiling the frames (ffmpeg `tile` filter over raw frames piped
 * in), written to a temporary file next to the target and renamed, so a failure leaves nothing behind.
 */
import { promises as fs } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { RgbImage } from '../core/frame.js';
import { UsageError } from '../errors/index.js';
import { encodeRawImages } from './raw-image-encoder.js';

export interface ContactSheetOptions {
  /** Tiles per row (default: ceil(sqrt(n))). */
  columns?: number;
  signal?: AbortSignal;
}

/** Writes a contact sheet of `frames` (same size) to `file` (.png or .jpg). */
export async function writeContactSheet(
  frames: readonly RgbImage[],
  file: string,
  options: ContactSheetOptions = {},
): Promise<void> {
  if (frames.length === 0) throw new UsageError(`${file}: no frames for the contact sheet`);
  const extension = extname(file).toLowerCase();
  const format = extension === '.jpg' || extension === '.jpeg' ? 'jpg' : extension === '.png' ? 'png' : undefined;
  if (!format) throw new UsageError(`${file}: contact sheet must end in .png or .jpg`);
  const columns = options.columns ?? Math.ceil(Math.sqrt(frames.length));
  const rows = Math.ceil(frames.length / columns);
  const target = resolve(file);
  await fs.mkdir(dirname(target), { recursive: true });
  const temporary = join(dirname(target), `.${basename(target)}.partial-${process.pid}-${Date.now()}${extension}`);
  // Pad the last row with black tiles so the tile filter always emits one full sheet.
  const first = frames[0]!;
  const blank: RgbImage = {
    width: first.width,
    height: first.height,
    data: new Uint8Array(first.width * first.height * 3),
  };
  const tiles = [...frames, ...Array.from({ length: columns * rows - frames.length }, () => blank)];
  try {
    await encodeRawImages(tiles, temporary.replace(/%/g, '%%'), {
      format,
      single: true,
      filters: [`tile=${columns}x${rows}`],
      signal: options.signal,
      operation: `contact sheet ${file}`,
    });
    await fs.rename(temporary, target);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

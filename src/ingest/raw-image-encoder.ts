/**
 * @file Encodes RGB24 frames to PNG/JPEG image files with one ffmpeg process per run of equally sized frames: raw
 * frames are written into ffmpeg's stdin (with backpressure), the image2 muxer writes the numbered files.
 */
import { once } from 'node:events';
import type { RgbImage } from '../core/frame.js';
import { FfmpegError } from '../errors/index.js';
import { resolveBinaries } from './binaries.js';
import { startChild, stderrTail } from './ffmpeg-adapter.js';

export type ImageFormat = 'png' | 'jpg';

export interface EncodeOptions {
  /** Extra output filters (e.g. `tile=4x4`). */
  readonly filters?: readonly string[];
  /** Number of the first file for `%06d` patterns. */
  readonly startNumber?: number;
  /** Write one image only (contact sheets). */
  readonly single?: boolean;
  readonly format: ImageFormat;
  readonly signal?: AbortSignal;
  readonly operation: string;
}

/** Runs ffmpeg reading `images` (all the same size) as rawvideo from stdin and writing `outputPath` (our own path). */
export async function encodeRawImages(images: readonly RgbImage[], outputPath: string, options: EncodeOptions): Promise<void> {
  const first = images[0];
  if (!first) return;
  const { ffmpeg } = await resolveBinaries();
  const args = ['-hide_banner', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${first.width}x${first.height}`, '-framerate', '1', '-i', 'pipe:0'];
  if (options.filters && options.filters.length > 0) args.push('-vf', options.filters.join(','));
  if (options.format === 'jpg') args.push('-q:v', '2', '-pix_fmt', 'yuvj444p');
  if (options.single) args.push('-frames:v', '1', '-update', '1');
  else args.push('-start_number', String(options.startNumber ?? 0));
  args.push('-f', 'image2', '-y', `file:${outputPath}`);
  const child = startChild(ffmpeg.path, args, {
    operation: options.operation,
    input: outputPath,
    deadlineMs: 60_000 + images.length * 2000,
    signal: options.signal,
    stdin: 'pipe',
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (stderr.length < 64 * 1024) stderr += text;
  });
  child.stdout.resume();
  const stdin = child.stdin!;
  let stdinFailed = false;
  stdin.on('error', () => {
    stdinFailed = true;
  });
  const writeAll = async (): Promise<void> => {
    for (const image of images) {
      if (stdinFailed) return;
      if (image.width !== first.width || image.height !== first.height) throw new RangeError('all images of one encode must have the same size');
      if (!stdin.write(image.data)) await Promise.race([once(stdin, 'drain'), child.exited]);
    }
    stdin.end();
  };
  const [, exitCode] = await Promise.all([writeAll().catch(async (error: unknown) => {
    await child.kill();
    throw error;
  }), child.exited]);
  if (exitCode !== 0) throw new FfmpegError(outputPath, `image encoding failed: ${stderrTail(stderr, 1)}`, stderrTail(stderr));
}

/**
 * @file Encodes RGB24 frames to images with one ffmpeg process per run of equally sized frames: raw frames are
 * written into ffmpeg's stdin (with backpressure). `runFfmpegOnRawImages` is the one runner (deadline, abort, EPIPE
 * policy) that both the frame writer's image2 files and the inspect report's JPEGs (src/inspect/jpeg-encode.ts) use.
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

/** Options of one ffmpeg run fed raw RGB24 images through stdin. */
export interface RawImageRunOptions {
  /** What the error messages and the deadline name (e.g. `jpeg encoding of 12 images`). */
  readonly operation: string;
  /** The input or output the errors name. */
  readonly input: string;
  readonly signal?: AbortSignal | undefined;
  /** Collect ffmpeg's stdout (for `pipe:1` outputs); otherwise it is drained. */
  readonly captureStdout?: boolean;
}

/** The one deadline of an ffmpeg image encode: a minute, plus two seconds per image. */
export function rawImageDeadlineMs(imageCount: number): number {
  return 60_000 + imageCount * 2000;
}

/**
 * Runs ffmpeg with `-f rawvideo` input from stdin (all `images` the same size, written with backpressure) and the
 * given output arguments. One policy for every caller: a deadline from `rawImageDeadlineMs`, killed on abort, a
 * stdin error (EPIPE when ffmpeg exits early, e.g. after `-frames:v 1`) stops the writing, and the exit status with
 * ffmpeg's stderr decides success. Returns the captured stdout (empty unless `captureStdout`).
 */
export async function runFfmpegOnRawImages(
  images: readonly RgbImage[],
  outputArguments: readonly string[],
  options: RawImageRunOptions,
): Promise<Buffer> {
  const first = images[0];
  if (!first) return Buffer.alloc(0);
  const { ffmpeg } = await resolveBinaries();
  const args = [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-s',
    `${first.width}x${first.height}`,
    '-framerate',
    '1',
    '-i',
    'pipe:0',
    ...outputArguments,
  ];
  const child = startChild(ffmpeg.path, args, {
    operation: options.operation,
    input: options.input,
    deadlineMs: rawImageDeadlineMs(images.length),
    signal: options.signal,
    stdin: 'pipe',
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (stderr.length < 64 * 1024) stderr += text;
  });
  const chunks: Buffer[] = [];
  if (options.captureStdout === true) child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  else child.stdout.resume();
  const stdin = child.stdin!;
  let stdinFailed = false;
  stdin.on('error', () => {
    stdinFailed = true;
  });
  const writeAll = async (): Promise<void> => {
    for (const image of images) {
      if (stdinFailed) return;
      if (image.width !== first.width || image.height !== first.height)
        throw new RangeError('all images of one encode must have the same size');
      if (!stdin.write(image.data)) await Promise.race([once(stdin, 'drain'), child.exited]);
    }
    stdin.end();
  };
  const [, exitCode] = await Promise.all([
    writeAll().catch(async (error: unknown) => {
      await child.kill();
      throw error;
    }),
    child.exited,
  ]);
  if (exitCode !== 0)
    throw new FfmpegError(options.input, `${options.operation} failed: ${stderrTail(stderr, 1)}`, stderrTail(stderr));
  return Buffer.concat(chunks);
}

/** Runs ffmpeg reading `images` (all the same size) as rawvideo from stdin and writing `outputPath` (our own path). */
export async function encodeRawImages(
  images: readonly RgbImage[],
  outputPath: string,
  options: EncodeOptions,
): Promise<void> {
  const args: string[] = [];
  if (options.filters && options.filters.length > 0) args.push('-vf', options.filters.join(','));
  if (options.format === 'jpg') args.push('-q:v', '2', '-pix_fmt', 'yuvj444p');
  if (options.single) args.push('-frames:v', '1', '-update', '1');
  else args.push('-start_number', String(options.startNumber ?? 0));
  args.push('-f', 'image2', '-y', `file:${outputPath}`);
  await runFfmpegOnRawImages(images, args, { operation: options.operation, input: outputPath, signal: options.signal });
}

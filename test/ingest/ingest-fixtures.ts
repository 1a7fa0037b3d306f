/**
 * @file Independent references for the ingest tests: ffprobe's decoded-frame list (`-show_entries frame=...`, not
 * the packet timeline vidtok uses), the decoder's own output list (ffmpeg `showinfo`), and frames decoded by a bare
 * ffmpeg command (`select=eq(n,K)`) to compare pixels.
 */
import { resolveBinaries } from '../../src/ingest/binaries.js';
import { runToCompletion, startChild } from '../../src/ingest/ffmpeg-adapter.js';

/** Presentation timestamps (seconds) of every decoded frame, in presentation order, from `ffprobe -show_frames`. */
export async function ffprobeFramePts(path: string): Promise<number[]> {
  const { ffprobe } = await resolveBinaries();
  const result = await runToCompletion(
    ffprobe.path,
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'frame=best_effort_timestamp_time',
      '-of',
      'csv=p=0',
      `file:${path}`,
    ],
    { operation: 'reference frame list', input: path, deadlineMs: 60_000 },
  );
  if (result.exitCode !== 0) throw new Error(`ffprobe failed on ${path}: ${result.stderr}`);
  return result.stdout
    .split('\n')
    .map((line) => line.split(',')[0]!.trim())
    .filter((line) => line.length > 0)
    .map(Number)
    .sort((a, b) => a - b);
}

export interface DecodedReference {
  readonly timeBase: readonly [number, number];
  /** pts of every frame the decoder outputs, in output order, in time-base units. */
  readonly units: readonly number[];
}

/**
 * The decoder's own frame list: `ffmpeg -i clip -vf showinfo -vsync 0 -copyts -f null -` (with `-skip_frame nokey`
 * when `keyframesOnly`: the keyframes as the decoder delivers them).
 */
export async function decodedReference(
  path: string,
  options: { keyframesOnly?: boolean } = {},
): Promise<DecodedReference> {
  const { ffmpeg } = await resolveBinaries();
  const result = await runToCompletion(
    ffmpeg.path,
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'info',
      ...(options.keyframesOnly ? ['-skip_frame', 'nokey'] : []),
      '-i',
      `file:${path}`,
      '-map',
      '0:v:0',
      '-vf',
      'showinfo',
      '-vsync',
      '0',
      '-copyts',
      '-f',
      'null',
      '-',
    ],
    { operation: 'reference decode', input: path, deadlineMs: 60_000 },
  );
  if (result.exitCode !== 0) throw new Error(`reference decode failed on ${path}: ${result.stderr.slice(-500)}`);
  const base = /config in time_base: (\d+)\/(\d+)/.exec(result.stderr);
  if (!base) throw new Error(`showinfo printed no time base for ${path}`);
  const units = [...result.stderr.matchAll(/Parsed_showinfo_\d+ @ [^\]]+\] n:\s*\d+ pts:\s*(-?\d+)/g)].map((match) =>
    Number(match[1]),
  );
  return { timeBase: [Number(base[1]), Number(base[2])], units };
}

/** Frames `indices` (presentation order) of `path` decoded sequentially by bare ffmpeg, as RGB24 at `size`. */
export async function ffmpegReferenceFrames(
  path: string,
  indices: readonly number[],
  size: { width: number; height: number },
): Promise<Buffer[]> {
  const { ffmpeg } = await resolveBinaries();
  const select = indices.map((index) => `eq(n\\,${index})`).join('+');
  const child = startChild(
    ffmpeg.path,
    [
      '-v',
      'error',
      '-nostdin',
      '-i',
      `file:${path}`,
      '-vf',
      `select=${select},scale=${size.width}:${size.height},format=rgb24`,
      '-vsync',
      '0',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    { operation: 'reference frames', input: path, deadlineMs: 60_000 },
  );
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.resume();
  const code = await child.exited;
  if (code !== 0) throw new Error(`reference ffmpeg failed on ${path}`);
  const all = Buffer.concat(chunks);
  const frameSize = size.width * size.height * 3;
  return Array.from({ length: all.length / frameSize }, (_, index) =>
    all.subarray(index * frameSize, (index + 1) * frameSize),
  );
}

/** Mean absolute difference between two byte arrays. */
export function meanAbsoluteDifference(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let index = 0; index < a.length; index += 1) sum += Math.abs(a[index]! - b[index]!);
  return sum / a.length;
}

/**
 * @file Helpers that build media inputs for tests, good and bad: lavfi clips, truncated / cut-before-index /
 * corrupted copies, text and random-byte files, a y4m header with a huge frame size, odd file names; plus a check
 * for surviving ffmpeg/ffprobe children. Everything is written under a caller-provided scratch directory.
 */
import { readdirSync, readFileSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { resolveBinaries } from '../../src/ingest/binaries.js';
import { activeChildProcessIds, runToCompletion, stderrTail } from '../../src/ingest/ffmpeg-adapter.js';

/** Runs ffmpeg with `args` (after `-y -loglevel error`); throws with stderr when it fails. */
export async function runFfmpeg(args: readonly string[]): Promise<void> {
  const { ffmpeg } = await resolveBinaries();
  const result = await runToCompletion(ffmpeg.path, ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...args], {
    operation: 'test media',
    input: 'test media',
    deadlineMs: 120_000,
  });
  if (result.exitCode !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${stderrTail(result.stderr)}`);
}

export interface ClipOptions {
  width?: number;
  height?: number;
  fps?: number;
  seconds?: number;
  /** GOP length in frames (default 2 s). */
  gop?: number;
  /** lavfi source name (default testsrc2). */
  source?: string;
  /** Move the index to the front (`-movflags +faststart`); default: moov at the end (ffmpeg's default). */
  faststart?: boolean;
}

/** Writes an H.264 mp4 generated from a lavfi source; returns `path`. */
export async function makeClip(path: string, options: ClipOptions = {}): Promise<string> {
  const width = options.width ?? 160;
  const height = options.height ?? 120;
  const fps = options.fps ?? 25;
  const seconds = options.seconds ?? 2;
  await runFfmpeg([
    '-f',
    'lavfi',
    '-i',
    `${options.source ?? 'testsrc2'}=size=${width}x${height}:rate=${fps}:duration=${seconds}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-g',
    String(options.gop ?? fps * 2),
    ...(options.faststart ? ['-movflags', '+faststart'] : []),
    `file:${path}`,
  ]);
  return path;
}

/** Copies the first `fraction` of `source` to `target`. */
export async function truncateCopy(source: string, target: string, fraction: number): Promise<string> {
  const bytes = readFileSync(source);
  await fs.writeFile(target, bytes.subarray(0, Math.floor(bytes.length * fraction)));
  return target;
}

/** Copies `source` with `count` runs of random bytes written over its middle part (after the first 30 %). */
export async function corruptCopy(
  source: string,
  target: string,
  options: { runs?: number; runLength?: number; seed?: number } = {},
): Promise<string> {
  const bytes = Buffer.from(readFileSync(source));
  const runs = options.runs ?? 12;
  const runLength = options.runLength ?? 64;
  let state = options.seed ?? 12345;
  const random = (): number => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
  const from = Math.floor(bytes.length * 0.3);
  const to = Math.floor(bytes.length * 0.8);
  for (let run = 0; run < runs; run += 1) {
    const offset = from + Math.floor(random() * (to - from - runLength));
    for (let index = 0; index < runLength; index += 1) bytes[offset + index] = Math.floor(random() * 256);
  }
  await fs.writeFile(target, bytes);
  return target;
}

/** A text file (e.g. named `.mp4`). */
export async function makeTextFile(path: string, text = 'this is not a video\n'.repeat(50)): Promise<string> {
  await fs.writeFile(path, text);
  return path;
}

/** `size` random bytes. */
export async function makeRandomFile(path: string, size = 64 * 1024): Promise<string> {
  // Seeded noise: unseeded random bytes now and then start with a sync pattern ffmpeg probes as audio, which made
  // the bad-input test flaky. This fixed sequence is noise no demuxer recognises (checked by the test itself).
  const bytes = Buffer.alloc(size);
  let state = 0x2545f491;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  await fs.writeFile(path, bytes);
  return path;
}

/** A one-frame y4m file whose header declares `width`x`height` (cheap way to exceed resolution caps). */
export async function makeY4m(path: string, width: number, height: number): Promise<string> {
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F25:1 Ip A1:1 C420jpeg\nFRAME\n`);
  const frame = Buffer.alloc(width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2), 128);
  await fs.writeFile(path, Buffer.concat([header, frame]));
  return path;
}

/** An audio-only file (AAC sine). */
export async function makeAudioOnly(path: string, seconds = 1): Promise<string> {
  await runFfmpeg(['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, '-c:a', 'aac', `file:${path}`]);
  return path;
}

/** File names that must be treated literally (spaces, quotes, `$(...)`, a leading `-`, unicode). */
export const trickyFileNames = [
  'with space.mp4',
  'quote\'s "double".mp4',
  '$(touch pwned).mp4',
  '-y.mp4',
  'vidéo-日本語-🎬.mp4',
  '`id`;rm -rf x.mp4',
];

/** Process ids whose parent is `parentPid` (reads /proc; Linux). */
export function childProcessIds(parentPid = process.pid): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (after "pid (comm) state") is the parent pid; comm may contain spaces, so split after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === parentPid && fields[0] !== 'Z') children.push(Number(entry));
    } catch {
      // the process exited meanwhile
    }
  }
  return children;
}

/** Names (comm) of the live children of this process that are ffmpeg or ffprobe. */
export function ffmpegChildren(): string[] {
  return childProcessIds()
    .map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      } catch {
        return '';
      }
    })
    .filter((name) => name === 'ffmpeg' || name === 'ffprobe');
}

/** Waits up to `timeoutMs` for every ffmpeg/ffprobe child (and vidtok's tracked pids) to be gone; returns leftovers. */
export async function survivingFfmpegChildren(timeoutMs = 3000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = [...ffmpegChildren(), ...activeChildProcessIds().map(String)];
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Entries of `directory` whose name marks a partial output (`.partial-`). */
export async function partialOutputs(directory: string): Promise<string[]> {
  return (await fs.readdir(directory)).filter((name) => name.includes('.partial-'));
}

export { join };

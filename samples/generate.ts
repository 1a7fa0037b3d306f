/**
 * @file Generates small sample clips with ffmpeg's lavfi sources (no downloads): scenes with known cut times, a
 * variable-frame-rate clip, a rotated phone-style clip and an audio-only file, plus `manifest.json` describing them.
 * Run: `node --import tsx samples/generate.ts [outDir]` (default samples/generated/, git-ignored). Tests import
 * `generateSamples`. Output is cached: clips are rebuilt only when the manifest version changes.
 */
import { existsSync, promises as fs } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FfmpegError } from '../src/errors/index.js';
import { resolveBinaries } from '../src/ingest/binaries.js';
import { runToCompletion, stderrTail } from '../src/ingest/ffmpeg-adapter.js';

export const samplesDir = dirname(fileURLToPath(import.meta.url));
export const defaultSamplesOutDir = join(samplesDir, 'generated');
const manifestVersion = 4;

export interface SamplesManifest {
  version: number;
  /** Three segments (testsrc pattern, solid red, SMPTE bars) concatenated; `cuts` are the first pts of segments 2 and 3. */
  scenes: { file: string; cuts: number[]; frameRate: number; duration: number; width: number; height: number };
  /** 30 fps for 2 s, then every third frame (10 fps) for 2 s: timestamps are kept, so the frame rate varies. */
  vfr: { file: string; frames: number; duration: number };
  /** Coded 320x180 landscape with rotate=90 metadata: players show it portrait, 180x320. */
  rotated: {
    file: string;
    codedWidth: number;
    codedHeight: number;
    rotation: number;
    displayWidth: number;
    displayHeight: number;
  };
  /** A 2 s 440 Hz sine tone in AAC, no video stream. */
  audioOnly: { file: string; duration: number };
}

async function ffmpeg(args: readonly string[], signal: AbortSignal | undefined, what: string): Promise<void> {
  const { ffmpeg: binary } = await resolveBinaries();
  const result = await runToCompletion(binary.path, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], {
    operation: `generate ${what}`,
    input: what,
    deadlineMs: 120_000,
    signal,
  });
  if (result.exitCode !== 0)
    throw new FfmpegError(what, `ffmpeg failed: ${stderrTail(result.stderr, 1)}`, stderrTail(result.stderr));
}

const x264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'];

/** Writes the sample clips into `outDir` (unless an up-to-date manifest is there) and returns the manifest. */
export async function generateSamples(
  outDir: string = defaultSamplesOutDir,
  options: { signal?: AbortSignal } = {},
): Promise<SamplesManifest> {
  const directory = resolve(outDir);
  const manifestPath = join(directory, 'manifest.json');
  if (existsSync(manifestPath)) {
    const existing = JSON.parse(await fs.readFile(manifestPath, 'utf8')) as SamplesManifest;
    if (
      existing.version === manifestVersion &&
      [existing.scenes, existing.vfr, existing.rotated, existing.audioOnly].every((clip) =>
        existsSync(join(directory, clip.file)),
      )
    ) {
      return existing;
    }
  }
  await fs.mkdir(directory, { recursive: true });
  const signal = options.signal;
  const size = '320x240';
  const rate = 25;
  // Segment lengths 2 s, 1.6 s, 2 s at 25 fps: cuts at frames 50 and 90, i.e. 2.0 s and 3.6 s.
  await ffmpeg(
    [
      '-f',
      'lavfi',
      '-i',
      `testsrc=size=${size}:rate=${rate}:duration=2`,
      '-f',
      'lavfi',
      '-i',
      `color=c=red:size=${size}:rate=${rate}:duration=1.6`,
      '-f',
      'lavfi',
      '-i',
      `smptebars=size=${size}:rate=${rate}:duration=2`,
      '-filter_complex',
      '[0:v][1:v][2:v]concat=n=3:v=1:a=0[v]',
      '-map',
      '[v]',
      ...x264,
      '-g',
      '50',
      `file:${join(directory, 'scenes.mp4')}`,
    ],
    signal,
    'scenes.mp4',
  );
  await ffmpeg(
    [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x240:rate=30:duration=4',
      '-vf',
      "select='lt(t\\,2)+eq(mod(n\\,3)\\,0)'",
      '-vsync',
      'vfr',
      ...x264,
      '-bf',
      '0',
      `file:${join(directory, 'vfr.mp4')}`,
    ],
    signal,
    'vfr.mp4',
  );
  // Rotation metadata is written on a stream copy (an encoding ffmpeg 4.1 drops the rotate tag).
  const unrotated = join(directory, 'rotated-unrotated.mp4');
  await ffmpeg(
    ['-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=25:duration=1', ...x264, `file:${unrotated}`],
    signal,
    'rotated.mp4',
  );
  await ffmpeg(
    ['-i', `file:${unrotated}`, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', `file:${join(directory, 'rotated.mp4')}`],
    signal,
    'rotated.mp4',
  );
  await fs.rm(unrotated, { force: true });
  await ffmpeg(
    [
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:duration=2',
      '-c:a',
      'aac',
      '-b:a',
      '64k',
      `file:${join(directory, 'audio-only.m4a')}`,
    ],
    signal,
    'audio-only.m4a',
  );
  const manifest: SamplesManifest = {
    version: manifestVersion,
    scenes: { file: 'scenes.mp4', cuts: [2, 3.6], frameRate: rate, duration: 5.6, width: 320, height: 240 },
    vfr: { file: 'vfr.mp4', frames: 60 + 20, duration: 4 },
    rotated: {
      file: 'rotated.mp4',
      codedWidth: 320,
      codedHeight: 180,
      rotation: 90,
      displayWidth: 180,
      displayHeight: 320,
    },
    audioOnly: { file: 'audio-only.m4a', duration: 2 },
  };
  await fs.writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outDir = process.argv[2] ?? defaultSamplesOutDir;
  const manifest = await generateSamples(outDir);
  process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
}

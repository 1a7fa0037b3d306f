/**
 * @file The format zoo: short, small clips of the files users actually have (edit lists, B-frames, VFR, rotation,
 * anamorphic pixels, odd and tiny sizes, 10-bit, 4:4:4, HEVC, AV1, VP9/WebM, MJPEG/AVI, ProRes/MOV, MPEG-2 TS with a
 * start offset, with a PTS wrap and interlaced, fragmented MP4, MKV with a start time, GIF, video after audio), made
 * with the same ffmpeg binary vidtok resolves. A clip whose encoder or muxer that ffmpeg lacks is skipped with the
 * reason recorded in `zoo-manifest.json`. Run: `node --import tsx samples/format-zoo.ts [outDir]`.
 */
import { existsSync, promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FfmpegError } from '../src/errors/index.js';
import { resolveBinaries } from '../src/ingest/binaries.js';
import { runToCompletion, stderrTail } from '../src/ingest/ffmpeg-adapter.js';
import { defaultSamplesOutDir } from './generate.js';

const zooVersion = 3;

/** What a test can check about a clip beyond the decoder's own frame list. */
export interface ZooExpectations {
  /** ffprobe-convention rotation the clip's display matrix holds (the test reads ffprobe's own value too). */
  readonly rotated?: boolean;
  readonly sampleAspectRatio?: readonly [number, number];
  readonly displayAspectRatio?: readonly [number, number];
  /** Approximate pts of the first video frame, seconds. */
  readonly startTime?: number;
  /** Approximate video-stream duration, seconds (the container may be longer). */
  readonly duration?: number;
  /** The demuxer discards pre-roll packets (an edit list). */
  readonly editList?: boolean;
  /** The timestamps cross 2^33 (MPEG-TS 33-bit pts wrap). */
  readonly ptsWrap?: boolean;
  /** Stored frame size (before rotation). */
  readonly codedWidth?: number;
  readonly codedHeight?: number;
}

export interface ZooClip {
  readonly name: string;
  readonly file: string;
  /** One line: what the clip is and why it is in the zoo. */
  readonly what: string;
  readonly expect: ZooExpectations;
}

export interface FormatZooManifest {
  readonly version: number;
  /** The ffmpeg binary the clips were made with (path and version). */
  readonly ffmpeg: string;
  readonly clips: readonly ZooClip[];
  /** Clips the available ffmpeg cannot make, with the reason. */
  readonly skipped: ReadonlyArray<{ name: string; reason: string }>;
}

interface ZooRecipe {
  readonly name: string;
  readonly file: string;
  readonly what: string;
  /** Encoders and muxers the recipe needs. */
  readonly encoders: readonly string[];
  readonly muxers: readonly string[];
  /** ffmpeg argument lists run in order; `{out}` is the clip, `{tmp}` a scratch file next to it. */
  readonly steps: ReadonlyArray<readonly string[]>;
  readonly expect: ZooExpectations;
}

const width = 96;
const height = 64;
const source = (seconds: number, rate = 25, size = `${width}x${height}`): string[] => [
  '-f',
  'lavfi',
  '-i',
  `testsrc2=size=${size}:rate=${rate}:duration=${seconds}`,
];
const x264 = (pixelFormat = 'yuv420p'): string[] => ['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', pixelFormat];
/** 2^33 ticks of 90 kHz: MPEG-TS pts wrap after this many seconds. */
const ptsWrapSeconds = 2 ** 33 / 90_000;

const recipes: readonly ZooRecipe[] = [
  {
    name: 'edit-list',
    file: 'edit-list.mp4',
    what: 'H.264 with B-frames trimmed by `-ss 1.3 -c copy`: an edit list discards the pre-roll frames',
    encoders: ['libx264'],
    muxers: ['mp4'],
    steps: [
      [...source(3), ...x264(), '-bf', '3', '-g', '50', 'file:{tmp}.mp4'],
      ['-ss', '1.3', '-i', 'file:{tmp}.mp4', '-c', 'copy', 'file:{out}'],
    ],
    expect: { editList: true },
  },
  {
    name: 'edit-list-long',
    file: 'edit-list-long.mp4',
    what: '14 s, a keyframe every second, trimmed by `-ss 1.3 -c copy`: sparse picks seek inside an edit list',
    encoders: ['libx264'],
    muxers: ['mp4'],
    steps: [
      [...source(14), ...x264(), '-bf', '3', '-g', '25', 'file:{tmp}.mp4'],
      ['-ss', '1.3', '-i', 'file:{tmp}.mp4', '-c', 'copy', 'file:{out}'],
    ],
    expect: { editList: true },
  },
  {
    name: 'b-frames',
    file: 'b-frames.mp4',
    what: 'H.264 with 3 B-frames and pyramid: decode order differs from presentation order',
    encoders: ['libx264'],
    muxers: ['mp4'],
    steps: [[...source(2), ...x264(), '-bf', '3', '-x264-params', 'b-pyramid=normal', '-g', '25', 'file:{out}']],
    expect: {},
  },
  {
    name: 'vfr',
    file: 'vfr.mp4',
    what: 'variable frame rate: 30 fps for 1 s, then every third frame',
    encoders: ['libx264'],
    muxers: ['mp4'],
    steps: [
      [...source(2, 30), '-vf', "select='lt(t\\,1)+eq(mod(n\\,3)\\,0)'", '-vsync', 'vfr', ...x264(), 'file:{out}'],
    ],
    expect: {},
  },
  ...[90, 180, 270].map(
    (degrees): ZooRecipe => ({
      name: `rotate-${degrees}`,
      file: `rotate-${degrees}.mp4`,
      what: `rotate=${degrees} display matrix written on a stream copy (phone clips)`,
      encoders: ['libx264'],
      muxers: ['mp4'],
      steps: [
        [...source(1), ...x264(), 'file:{tmp}.mp4'],
        ['-i', 'file:{tmp}.mp4', '-c', 'copy', '-metadata:s:v:0', `rotate=${degrees}`, 'file:{out}'],
      ],
      expect: { rotated: true, codedWidth: width, codedHeight: height },
    }),
  ),
  {
    name: 'anamorphic',
    file: 'anamorphic.mp4',
    what: 'sample aspect ratio 4:3 (96x64 stored, displayed 2:1)',
    encoders: ['libx264'],
    muxers: ['mp4'],
    steps: [[...source(1), '-vf', 'setsar=4/3', ...x264(), 'file:{out}']],
    expect: { sampleAspectRatio: [4, 3], displayAspectRatio: [2, 1] },
  },
  {
    name: 'odd-size',
    file: 'odd-size.mp4',
    what: '97x61: odd width and height (4:4:4 so H.264 accepts them)',
    encoders: ['libx264'],
    muxers: ['mp4'],
    steps: [[...source(1, 25, '96x64'), '-vf', 'scale=97:61', ...x264('yuv444p'), 'file:{out}']],
    expect: { codedWidth: 97, codedHeight: 61 },
  },
  {
    name: 'tiny',
    file: 'tiny.mp4',
    what: '16x16, the smallest H.264 macroblock',
    encoders: ['libx264'],
    muxers: ['mp4'],
    steps: [[...source(1, 25, '16x16'), ...x264(), 'file:{out}']],
    expect: { codedWidth: 16, codedHeight: 16 },
  },
  {
    name: 'tiny-ffv1',
    file: 'tiny-ffv1.mkv',
    what: '3x2 pixels, lossless FFV1 in Matroska',
    encoders: ['ffv1'],
    muxers: ['matroska'],
    steps: [[...source(1, 10, '32x32'), '-vf', 'scale=3:2', '-c:v', 'ffv1', '-pix_fmt', 'yuv444p', 'file:{out}']],
    expect: { codedWidth: 3, codedHeight: 2 },
  },
  {
    name: '10-bit',
    file: '10-bit.mp4',
    what: 'H.264 High 10 (yuv420p10le)',
    encoders: ['libx264'],
    muxers: ['mp4'],
    steps: [[...source(1), ...x264('yuv420p10le'), 'file:{out}']],
    expect: {},
  },
  {
    name: 'yuv444',
    file: 'yuv444.mp4',
    what: 'H.264 High 4:4:4 (yuv444p)',
    encoders: ['libx264'],
    muxers: ['mp4'],
    steps: [[...source(1), ...x264('yuv444p'), 'file:{out}']],
    expect: {},
  },
  {
    name: 'hevc',
    file: 'hevc.mp4',
    what: 'HEVC (libx265, B-frames) tagged hvc1',
    encoders: ['libx265'],
    muxers: ['mp4'],
    steps: [
      [
        ...source(1),
        '-c:v',
        'libx265',
        '-preset',
        'ultrafast',
        '-x265-params',
        'log-level=error',
        '-tag:v',
        'hvc1',
        '-pix_fmt',
        'yuv420p',
        'file:{out}',
      ],
    ],
    expect: {},
  },
  {
    name: 'av1',
    file: 'av1.mkv',
    what: 'AV1 (libaom) in Matroska',
    encoders: ['libaom-av1'],
    muxers: ['matroska'],
    steps: [
      [
        ...source(1),
        '-c:v',
        'libaom-av1',
        '-strict',
        'experimental',
        '-cpu-used',
        '8',
        '-b:v',
        '200k',
        '-pix_fmt',
        'yuv420p',
        'file:{out}',
      ],
    ],
    expect: {},
  },
  {
    name: 'vp9',
    file: 'vp9.webm',
    what: 'VP9 in WebM (no per-stream duration in the header)',
    encoders: ['libvpx-vp9'],
    muxers: ['webm'],
    steps: [
      [...source(1), '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '200k', 'file:{out}'],
    ],
    expect: {},
  },
  {
    name: 'mjpeg',
    file: 'mjpeg.avi',
    what: 'Motion JPEG in AVI (every frame a keyframe, 1/25 time base)',
    encoders: ['mjpeg'],
    muxers: ['avi'],
    steps: [[...source(1), '-c:v', 'mjpeg', '-q:v', '5', '-pix_fmt', 'yuvj420p', 'file:{out}']],
    expect: {},
  },
  {
    name: 'prores',
    file: 'prores.mov',
    what: 'ProRes 422 Proxy (10-bit 4:2:2) in QuickTime',
    encoders: ['prores_ks'],
    muxers: ['mov'],
    steps: [[...source(1), '-c:v', 'prores_ks', '-profile:v', '0', 'file:{out}']],
    expect: {},
  },
  {
    name: 'mpeg2-offset',
    file: 'mpeg2-offset.ts',
    what: "MPEG-2 in MPEG-TS: timestamps start at 1.4 s (the muxer's offset)",
    encoders: ['mpeg2video'],
    muxers: ['mpegts'],
    steps: [[...source(2), '-c:v', 'mpeg2video', '-g', '12', '-bf', '2', '-q:v', '5', 'file:{out}']],
    expect: { startTime: 1.4 },
  },
  {
    name: 'pts-wrap',
    file: 'pts-wrap.ts',
    what: 'MPEG-TS whose 33-bit pts wraps around 1 s into the clip',
    encoders: ['mpeg2video'],
    muxers: ['mpegts'],
    steps: [
      [
        ...source(2),
        '-c:v',
        'mpeg2video',
        '-g',
        '12',
        '-q:v',
        '5',
        '-output_ts_offset',
        String(Math.floor(ptsWrapSeconds) - 2),
        'file:{out}',
      ],
    ],
    expect: { ptsWrap: true },
  },
  {
    name: 'interlaced',
    file: 'interlaced.ts',
    what: 'interlaced MPEG-2 (field DCT and motion, top field first) in MPEG-TS',
    encoders: ['mpeg2video'],
    muxers: ['mpegts'],
    steps: [
      [
        ...source(2),
        '-vf',
        'interlace',
        '-c:v',
        'mpeg2video',
        '-flags',
        '+ilme+ildct',
        '-top',
        '1',
        '-g',
        '12',
        '-q:v',
        '5',
        'file:{out}',
      ],
    ],
    expect: {},
  },
  {
    name: 'fragmented',
    file: 'fragmented.mp4',
    what: 'fragmented MP4 (empty moov, one fragment per keyframe)',
    encoders: ['libx264'],
    muxers: ['mp4'],
    steps: [
      [...source(2), ...x264(), '-g', '10', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', 'file:{out}'],
    ],
    expect: {},
  },
  {
    name: 'mkv-start',
    file: 'mkv-start.mkv',
    what: 'H.264 in Matroska whose timestamps start at 3 s',
    encoders: ['libx264'],
    muxers: ['matroska'],
    steps: [[...source(1), ...x264(), '-output_ts_offset', '3', 'file:{out}']],
    expect: { startTime: 3 },
  },
  {
    name: 'gif',
    file: 'animated.gif',
    what: 'animated GIF at 10 fps (1/100 s time base, palette frames)',
    encoders: ['gif'],
    muxers: ['gif'],
    steps: [[...source(1, 10, '48x32'), '-c:v', 'gif', 'file:{out}']],
    expect: {},
  },
  {
    name: 'video-after-audio',
    file: 'video-after-audio.mp4',
    what: 'audio from 0 s, video from 1.5 s to 4.5 s: the container spans 5 s',
    encoders: ['libx264', 'aac'],
    muxers: ['mp4'],
    steps: [
      [
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=440:duration=5',
        '-itsoffset',
        '1.5',
        ...source(3),
        '-map',
        '1:v',
        '-map',
        '0:a',
        '-vsync',
        'passthrough',
        ...x264(),
        '-c:a',
        'aac',
        '-b:a',
        '64k',
        'file:{out}',
      ],
    ],
    expect: { startTime: 1.5, duration: 3 },
  },
];

async function ffmpegNames(binary: string, kind: '-encoders' | '-muxers'): Promise<Set<string>> {
  const result = await runToCompletion(binary, ['-hide_banner', kind], {
    operation: `list ${kind.slice(1)}`,
    input: binary,
    deadlineMs: 30_000,
  });
  const names = new Set<string>();
  for (const line of result.stdout.split('\n')) {
    const match = /^\s*[A-Z.]{1,6}\s+(\S+)/.exec(line);
    if (match && match[1] !== '=') for (const name of match[1]!.split(',')) names.add(name);
  }
  return names;
}

/** Writes the zoo into `outDir` (default samples/generated/zoo) unless an up-to-date manifest is there. */
export async function generateFormatZoo(
  outDir: string = join(defaultSamplesOutDir, 'zoo'),
  options: { signal?: AbortSignal } = {},
): Promise<FormatZooManifest> {
  const directory = resolve(outDir);
  const manifestPath = join(directory, 'zoo-manifest.json');
  const { ffmpeg } = await resolveBinaries();
  const ffmpegName = `${ffmpeg.path} ${ffmpeg.version}`;
  if (existsSync(manifestPath)) {
    const existing = JSON.parse(await fs.readFile(manifestPath, 'utf8')) as FormatZooManifest;
    if (
      existing.version === zooVersion &&
      existing.ffmpeg === ffmpegName &&
      existing.clips.every((clip) => existsSync(join(directory, clip.file)))
    )
      return existing;
  }
  await fs.mkdir(directory, { recursive: true });
  const [encoders, muxers] = await Promise.all([
    ffmpegNames(ffmpeg.path, '-encoders'),
    ffmpegNames(ffmpeg.path, '-muxers'),
  ]);
  const clips: ZooClip[] = [];
  const skipped: Array<{ name: string; reason: string }> = [];
  for (const recipe of recipes) {
    const lacking = [
      ...recipe.encoders.filter((name) => !encoders.has(name)).map((name) => `encoder ${name}`),
      ...recipe.muxers.filter((name) => !muxers.has(name)).map((name) => `muxer ${name}`),
    ];
    if (lacking.length > 0) {
      skipped.push({ name: recipe.name, reason: `${ffmpegName} has no ${lacking.join(', ')}` });
      continue;
    }
    const out = join(directory, recipe.file);
    const scratch = join(directory, `.${recipe.name}.tmp`);
    for (const step of recipe.steps) {
      const args = step.map((argument) => argument.replace('{out}', out).replace('{tmp}', scratch));
      const result = await runToCompletion(
        ffmpeg.path,
        ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args],
        {
          operation: `generate ${recipe.file}`,
          input: recipe.file,
          deadlineMs: 180_000,
          signal: options.signal,
        },
      );
      if (result.exitCode !== 0)
        throw new FfmpegError(recipe.file, `ffmpeg failed: ${stderrTail(result.stderr, 1)}`, stderrTail(result.stderr));
    }
    await fs.rm(`${scratch}.mp4`, { force: true });
    clips.push({ name: recipe.name, file: recipe.file, what: recipe.what, expect: recipe.expect });
  }
  const manifest: FormatZooManifest = { version: zooVersion, ffmpeg: ffmpegName, clips, skipped };
  await fs.writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const manifest = await generateFormatZoo(process.argv[2]);
  process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
}

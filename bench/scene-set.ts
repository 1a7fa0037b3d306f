/**
 * @file The public scene-boundary set: clips built with ffmpeg from ../shared/videos (five real single-shot clips)
 * and samples/ (the synthetic scenes clip), each with its known boundaries. Three kinds:
 *
 * - `hard-cut`: segments of different real clips (or distant parts of one clip) concatenated; a cut at every join;
 * - `gradual`: a 1 s cross-dissolve (overlay with a fading alpha) and a fade through black; the boundary is the
 *   middle of the transition;
 * - `no-cut`: each real clip alone (one continuous shot; making_cake has fast hand-held whip pans), a pan across an
 *   enlarged frame and a slow zoom: camera motion and no cut, so every boundary found there is false.
 *
 * Every clip is 320x240 (aspect squashed), 25 fps, H.264. Built once into `dir` (cached by a manifest version).
 */
import { existsSync, promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateSamples } from '../samples/generate.js';
import { FfmpegError } from '../src/errors/index.js';
import { resolveBinaries } from '../src/ingest/binaries.js';
import { runToCompletion, stderrTail } from '../src/ingest/ffmpeg-adapter.js';

export type SceneCaseKind = 'hard-cut' | 'gradual' | 'no-cut';

export interface SceneCase {
  readonly name: string;
  readonly kind: SceneCaseKind;
  readonly file: string;
  /** Known boundaries, seconds (for gradual transitions: the middle of the transition). */
  readonly boundaries: readonly number[];
  readonly duration: number;
}

interface Segment {
  readonly clip: string;
  readonly start: number;
  readonly length: number;
}

const setVersion = 3;
const normalize = 'scale=320:240,setsar=1,fps=25,format=yuv420p';
const x264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-an'];

async function ffmpeg(args: readonly string[], what: string): Promise<void> {
  const { ffmpeg: binary } = await resolveBinaries();
  const result = await runToCompletion(binary.path, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], {
    operation: `scene set ${what}`,
    input: what,
    deadlineMs: 180_000,
  });
  if (result.exitCode !== 0)
    throw new FfmpegError(what, `ffmpeg failed: ${stderrTail(result.stderr, 2)}`, stderrTail(result.stderr));
}

function inputs(videos: string, segments: readonly Segment[]): string[] {
  return segments.flatMap((segment) => [
    '-ss',
    String(segment.start),
    '-t',
    String(segment.length + 1),
    '-i',
    `file:${join(videos, segment.clip)}`,
  ]);
}

/** The segment normalised and cut to exactly `length * 25` frames, so the joins fall on known frames. */
function exact(segment: Segment): string {
  return `${normalize},trim=end_frame=${Math.round(segment.length * 25)}`;
}

export async function concatenation(videos: string, out: string, segments: readonly Segment[]): Promise<number[]> {
  const labels = segments.map((_, n) => `[${n}:v]${exact(segments[n]!)},setpts=PTS-STARTPTS[v${n}]`).join(';');
  const joined = `${segments.map((_, n) => `[v${n}]`).join('')}concat=n=${segments.length}:v=1:a=0[out]`;
  await ffmpeg(
    [...inputs(videos, segments), '-filter_complex', `${labels};${joined}`, '-map', '[out]', ...x264, `file:${out}`],
    out,
  );
  const cuts: number[] = [];
  let at = 0;
  for (const segment of segments.slice(0, -1)) {
    at += segment.length;
    cuts.push(Math.round(at * 1000) / 1000);
  }
  return cuts;
}

/** Segments over a black base, each fading in over the previous one for `overlap` seconds. */
async function dissolve(videos: string, out: string, segments: readonly Segment[], overlap: number): Promise<number[]> {
  const parts: string[] = [];
  const boundaries: number[] = [];
  let offset = 0;
  segments.forEach((segment, n) => {
    const fade = n === 0 ? '' : `,format=yuva420p,fade=t=in:st=0:d=${overlap}:alpha=1`;
    parts.push(`[${n}:v]${exact(segment)}${fade},setpts=PTS-STARTPTS+${offset}/TB[v${n}]`);
    if (n > 0) boundaries.push(Math.round((offset + overlap / 2) * 1000) / 1000);
    offset += segment.length - overlap;
  });
  const total = offset + overlap;
  parts.push(`color=c=black:s=320x240:r=25:d=${total},format=yuv420p[base]`);
  let previous = 'base';
  for (let n = 0; n < segments.length; n++) {
    parts.push(`[${previous}][v${n}]overlay=eof_action=pass:repeatlast=0[o${n}]`);
    previous = `o${n}`;
  }
  parts.push(`[${previous}]format=yuv420p[out]`);
  await ffmpeg(
    [...inputs(videos, segments), '-filter_complex', parts.join(';'), '-map', '[out]', ...x264, `file:${out}`],
    out,
  );
  return boundaries;
}

/** Manifest of the set, building it into `dir` when missing. */
export async function buildSceneSet(dir: string, videos: string): Promise<SceneCase[]> {
  const directory = resolve(dir);
  const manifestPath = join(directory, 'scene-set.json');
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(await fs.readFile(manifestPath, 'utf8')) as { version: number; cases: SceneCase[] };
    if (manifest.version === setVersion && manifest.cases.every((entry) => existsSync(entry.file)))
      return manifest.cases;
  }
  await fs.mkdir(directory, { recursive: true });
  const cases: SceneCase[] = [];
  const add = (name: string, kind: SceneCaseKind, boundaries: readonly number[], duration: number): void => {
    cases.push({ name, kind, file: join(directory, `${name}.mp4`), boundaries, duration });
  };
  const five: Segment[] = [
    { clip: 'birthday.mp4', start: 2, length: 4 },
    { clip: 'boat.mp4', start: 1, length: 4 },
    { clip: 'making_cake.mp4', start: 4, length: 4 },
    { clip: 'skateboarding_dog.mp4', start: 3, length: 4 },
    { clip: 'yoga.mp4', start: 2, length: 4 },
  ];
  add('five-clips', 'hard-cut', await concatenation(videos, join(directory, 'five-clips.mp4'), five), 20);
  const eight: Segment[] = [
    { clip: 'yoga.mp4', start: 6, length: 2.4 },
    { clip: 'birthday.mp4', start: 10, length: 2.4 },
    { clip: 'skateboarding_dog.mp4', start: 8, length: 2.4 },
    { clip: 'boat.mp4', start: 3, length: 2.4 },
    { clip: 'making_cake.mp4', start: 0, length: 1.6 },
    { clip: 'yoga.mp4', start: 0, length: 2.4 },
    { clip: 'birthday.mp4', start: 0, length: 2.4 },
    { clip: 'skateboarding_dog.mp4', start: 0, length: 2.4 },
  ];
  add('eight-short', 'hard-cut', await concatenation(videos, join(directory, 'eight-short.mp4'), eight), 18.4);
  const samples = await generateSamples();
  cases.push({
    name: 'samples-scenes',
    kind: 'hard-cut',
    file: join(resolve('samples', 'generated'), samples.scenes.file),
    boundaries: samples.scenes.cuts,
    duration: samples.scenes.duration,
  });
  const dissolved: Segment[] = [
    { clip: 'birthday.mp4', start: 2, length: 5 },
    { clip: 'boat.mp4', start: 0.5, length: 5 },
    { clip: 'yoga.mp4', start: 2, length: 5 },
  ];
  add('dissolve', 'gradual', await dissolve(videos, join(directory, 'dissolve.mp4'), dissolved, 1), 13);
  const black = join(directory, 'fade-black.mp4');
  await ffmpeg(
    [
      ...inputs(videos, [
        { clip: 'skateboarding_dog.mp4', start: 2, length: 4 },
        { clip: 'yoga.mp4', start: 3, length: 4 },
      ]),
      '-filter_complex',
      `[0:v]${normalize},trim=end_frame=100,fade=t=out:st=3.4:d=0.6,setpts=PTS-STARTPTS[a];[1:v]${normalize},trim=end_frame=100,fade=t=in:st=0:d=0.6,setpts=PTS-STARTPTS[b];[a][b]concat=n=2:v=1:a=0[out]`,
      '-map',
      '[out]',
      ...x264,
      `file:${black}`,
    ],
    black,
  );
  add('fade-black', 'gradual', [4], 8);
  for (const clip of ['birthday', 'boat', 'making_cake', 'skateboarding_dog', 'yoga']) {
    const out = join(directory, `shot-${clip}.mp4`);
    await ffmpeg(['-i', `file:${join(videos, `${clip}.mp4`)}`, '-vf', normalize, ...x264, `file:${out}`], out);
    const durations: Record<string, number> = {
      birthday: 16.68,
      boat: 6.06,
      making_cake: 10,
      skateboarding_dog: 14.08,
      yoga: 10,
    };
    add(`shot-${clip}`, 'no-cut', [], durations[clip]!);
  }
  const pan = join(directory, 'pan.mp4');
  await ffmpeg(
    [
      '-ss',
      '4',
      '-t',
      '8',
      '-i',
      `file:${join(videos, 'birthday.mp4')}`,
      '-vf',
      "scale=960:540,setsar=1,fps=25,crop=320:240:x='min(640\\,t*80)':y='150+40*sin(t)',format=yuv420p",
      ...x264,
      `file:${pan}`,
    ],
    pan,
  );
  add('pan', 'no-cut', [], 8);
  const zoom = join(directory, 'zoom.mp4');
  await ffmpeg(
    [
      '-ss',
      '1',
      '-t',
      '6',
      '-i',
      `file:${join(videos, 'yoga.mp4')}`,
      '-vf',
      "scale=640:480,setsar=1,fps=25,zoompan=z='1+0.006*on':d=1:s=320x240:fps=25:x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)',setsar=1,format=yuv420p",
      ...x264,
      `file:${zoom}`,
    ],
    zoom,
  );
  add('zoom', 'no-cut', [], 6);
  await fs.writeFile(manifestPath, `${JSON.stringify({ version: setVersion, cases }, null, 2)}\n`);
  return cases;
}

/**
 * @file Media for the B-VLLM selection tests: a multi-scene video made by concatenating the first seconds of the
 * five shared clips (one ffmpeg run, ~2 s), a single continuous shot (birthday.mp4), and their frames at 1 fps at
 * the pixels encoder's 336 x 336. Built once per test file under its scratch directory.
 */
import { join } from 'node:path';
import type { VideoFrame } from '../../src/core/frame.js';
import { extractFrames } from '../../src/ingest/index.js';
import { runFfmpeg } from '../helpers/media.js';
import { scratchDir, sharedVideo } from '../helpers/paths.js';

/** The clips, in order, and how many seconds of each the multi-scene video holds. */
export const sceneClips = [
  { name: 'birthday.mp4', seconds: 8 },
  { name: 'boat.mp4', seconds: 6 },
  { name: 'making_cake.mp4', seconds: 8 },
  { name: 'skateboarding_dog.mp4', seconds: 8 },
  { name: 'yoga.mp4', seconds: 8 },
] as const;

/** Start time (s) of each clip in the multi-scene video. */
export const sceneStarts: readonly number[] = sceneClips.reduce<number[]>((starts, _clip, k) => {
  starts.push(k === 0 ? 0 : starts[k - 1]! + sceneClips[k - 1]!.seconds);
  return starts;
}, []);

/** Which clip of the multi-scene video a timestamp falls in. */
export function sceneOf(time: number): number {
  let scene = 0;
  for (let k = 0; k < sceneStarts.length; k++) if (time >= sceneStarts[k]! - 1e-6) scene = k;
  return scene;
}

/** Writes the multi-scene video (320 x 240, 25 fps, H.264) and returns its path. */
export async function makeMultiSceneVideo(directory: string): Promise<string> {
  const path = join(directory, 'five-scenes.mp4');
  // Each clip contributes exactly seconds x 25 frames, so the clip boundaries fall exactly on sceneStarts.
  const inputs = sceneClips.flatMap((clip) => ['-t', String(clip.seconds + 1), '-i', `file:${sharedVideo(clip.name)}`]);
  const scaled = sceneClips
    .map(
      (clip, k) =>
        `[${k}:v]setpts=PTS-STARTPTS,fps=25,trim=end_frame=${clip.seconds * 25},setpts=PTS-STARTPTS,scale=320:240,setsar=1[v${k}]`,
    )
    .join(';');
  const joined = `${sceneClips.map((_, k) => `[v${k}]`).join('')}concat=n=${sceneClips.length}:v=1:a=0[out]`;
  await runFfmpeg([
    ...inputs,
    '-filter_complex',
    `${scaled};${joined}`,
    '-map',
    '[out]',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '50',
    `file:${path}`,
  ]);
  return path;
}

/** Frames of `path` at 1 fps, squashed to 336 x 336. */
export async function framesAtOneFps(path: string): Promise<VideoFrame[]> {
  const { frames } = await extractFrames(path, { fps: 1, size: { width: 336, height: 336 } });
  return [...frames];
}

let shared: Promise<{ multiScene: VideoFrame[]; singleShot: VideoFrame[] }> | undefined;

/** Frames of the multi-scene video and of the single shot, built once per process. */
export function selectionMedia(): Promise<{ multiScene: VideoFrame[]; singleShot: VideoFrame[] }> {
  shared ??= (async () => {
    const directory = scratchDir('b-vllm');
    const [multiScene, singleShot] = await Promise.all([
      makeMultiSceneVideo(directory).then(framesAtOneFps),
      framesAtOneFps(sharedVideo('birthday.mp4')),
    ]);
    return { multiScene, singleShot };
  })();
  return shared;
}

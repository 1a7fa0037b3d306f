/**
 * @file Scene-boundary benchmark over the public scene set (bench/scene-set.ts: hard cuts, gradual transitions,
 * continuous shots with camera motion). Precision, recall and F1 at +-0.5 s (one-to-one matching) per kind, and the
 * false boundaries found inside continuous shots, for:
 *
 * - ffmpeg's scene filter (`select=gt(scene,0.3)`, vidtok's default threshold, every frame): the baseline, same run;
 * - the streaming detector (src/scenes) on 2 fps frames: HSV histograms with the threshold rule (the default) and
 *   with SceneTilling's depth rule; the `pixels` encoder's mean tokens with the depth rule (what narration and
 *   scene-stream used before); the SmolVLM2 test fixture's mean tokens alone and combined with HSV;
 * - `vidtok caption --scenes` chunk planning (the same detector on 64x48 frames);
 * - the offline `scenetilling` pipeline (16 frames, k = 3) with the pixels encoder;
 *
 * then a sweep of the threshold rule's parameters, from which the defaults were picked.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { meanTokenDescriptors } from '../src/core/feature-grid.js';
import type { VisualEncoder } from '../src/core/encoder.js';
import type { VideoFrame } from '../src/core/frame.js';
import { createPixelsEncoder } from '../src/encoders/index.js';
import { extractFrames } from '../src/ingest/index.js';
import { runPipeline } from '../src/pipeline/index.js';
import { loadModel } from '../src/runtime/index.js';
import { planSceneChunks } from '../src/uses/scene-chunks.js';
import { combineDescriptors } from '../src/scenes/scene-descriptor.js';
import { hsvHistogram } from '../src/scenes/hsv-histogram.js';
import { StreamingSceneDetector, type SceneDetectorOptions } from '../src/scenes/streaming-scene-detector.js';
import { buildSceneSet, type SceneCase, type SceneCaseKind } from './scene-set.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const videos = process.env.VIDTOK_SHARED
  ? join(process.env.VIDTOK_SHARED, 'videos')
  : join(benchDir, '..', '..', 'shared', 'videos');
const fixtureModel = join(benchDir, '..', 'test', 'fixtures', 'models', 'smolvlm2-tiny');
const tolerance = 0.5;
const fps = 2;

interface CaseFrames {
  readonly entry: SceneCase;
  readonly times: number[];
  readonly hsv: Float32Array[];
  readonly pixels: Float32Array[];
  readonly fixture: Float32Array[];
}

/** One-to-one matches within the tolerance (greedy by distance). */
export function matchBoundaries(found: readonly number[], truth: readonly number[], within = tolerance): number {
  const pairs: [number, number, number][] = [];
  found.forEach((time, f) =>
    truth.forEach((known, t) => Math.abs(time - known) <= within && pairs.push([Math.abs(time - known), f, t])),
  );
  pairs.sort((a, b) => a[0] - b[0]);
  const usedFound = new Set<number>();
  const usedTruth = new Set<number>();
  for (const [, f, t] of pairs) {
    if (usedFound.has(f) || usedTruth.has(t)) continue;
    usedFound.add(f);
    usedTruth.add(t);
  }
  return usedFound.size;
}

interface Score {
  found: number;
  truth: number;
  matched: number;
}

function f1(score: Score): { precision: number; recall: number; f1: number } {
  const precision = score.found === 0 ? (score.truth === 0 ? 1 : 0) : score.matched / score.found;
  const recall = score.truth === 0 ? 1 : score.matched / score.truth;
  return { precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
}

function detect(
  times: readonly number[],
  descriptors: readonly Float32Array[],
  options: SceneDetectorOptions,
): number[] {
  const detector = new StreamingSceneDetector({ frameInterval: 1 / fps, ...options });
  const found: number[] = [];
  descriptors.forEach((descriptor, n) => {
    for (const boundary of detector.push(descriptor, times[n]!))
      if (boundary.closedBy === 'cut') found.push(boundary.endTime);
  });
  for (const boundary of detector.end()) if (boundary.closedBy === 'cut') found.push(boundary.endTime);
  return found;
}

async function meanTokens(encoder: VisualEncoder, frames: readonly VideoFrame[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let at = 0; at < frames.length; at += 8) {
    const grid = await encoder.encodeFrames(frames.slice(at, at + 8));
    const descriptors = meanTokenDescriptors(grid);
    for (let t = 0; t < grid.T; t++) out.push(descriptors.data.slice(t * grid.D, (t + 1) * grid.D));
  }
  return out;
}

type Detector = { readonly name: string; readonly seconds: number; readonly found: ReadonlyMap<string, number[]> };

function summarize(cases: readonly SceneCase[], found: ReadonlyMap<string, number[]>): Record<SceneCaseKind, Score> {
  const totals: Record<SceneCaseKind, Score> = {
    'hard-cut': { found: 0, truth: 0, matched: 0 },
    gradual: { found: 0, truth: 0, matched: 0 },
    'no-cut': { found: 0, truth: 0, matched: 0 },
  };
  for (const entry of cases) {
    const boundaries = found.get(entry.name) ?? [];
    const total = totals[entry.kind];
    total.found += boundaries.length;
    total.truth += entry.boundaries.length;
    total.matched += matchBoundaries(boundaries, entry.boundaries);
  }
  return totals;
}

function row(
  name: string,
  cases: readonly SceneCase[],
  found: ReadonlyMap<string, number[]>,
  seconds?: number,
): string {
  const totals = summarize(cases, found);
  const hard = f1(totals['hard-cut']);
  const gradual = f1(totals.gradual);
  const cell = (value: number): string => value.toFixed(2);
  return `| ${name} | ${cell(hard.precision)} | ${cell(hard.recall)} | **${cell(hard.f1)}** | ${cell(gradual.precision)} | ${cell(gradual.recall)} | ${cell(gradual.f1)} | ${totals['no-cut'].found} | ${seconds === undefined ? '–' : seconds.toFixed(1)} |`;
}

export async function run(): Promise<void> {
  const cases = await buildSceneSet(join(benchDir, '.work', 'scene-set'), videos);
  const pixels = createPixelsEncoder();
  const model = await loadModel(fixtureModel, { runner: 'in-process' });
  const fixture = model.encoder({ batchSize: 8 });
  const detectors: Detector[] = [];
  try {
    const ffmpegFound = new Map<string, number[]>();
    let started = performance.now();
    for (const entry of cases) {
      const { frames } = await extractFrames(entry.file, {
        scenes: true,
        size: { width: 64, height: 48 },
        resize: 'squash',
      });
      ffmpegFound.set(
        entry.name,
        frames.slice(1).map((frame) => frame.pts),
      );
    }
    detectors.push({
      name: 'ffmpeg scene filter, threshold 0.3, every frame (baseline)',
      seconds: (performance.now() - started) / 1000,
      found: ffmpegFound,
    });

    started = performance.now();
    const decoded: CaseFrames[] = [];
    let hsvSeconds = 0;
    let pixelsSeconds = 0;
    let fixtureSeconds = 0;
    for (const entry of cases) {
      const { frames } = await extractFrames(entry.file, { fps, size: pixels.inputSize, resize: 'squash' });
      let at = performance.now();
      const hsv = frames.map((frame) => hsvHistogram(frame));
      hsvSeconds += (performance.now() - at) / 1000;
      at = performance.now();
      const pixelTokens = await meanTokens(pixels, frames);
      pixelsSeconds += (performance.now() - at) / 1000;
      at = performance.now();
      const fixtureTokens = await meanTokens(fixture, frames);
      fixtureSeconds += (performance.now() - at) / 1000;
      decoded.push({
        entry,
        times: frames.map((frame) => frame.pts),
        hsv,
        pixels: pixelTokens,
        fixture: fixtureTokens,
      });
    }
    const decodeSeconds = (performance.now() - started) / 1000 - hsvSeconds - pixelsSeconds - fixtureSeconds;
    const streaming = (
      name: string,
      descriptors: (frames: CaseFrames) => Float32Array[],
      options: SceneDetectorOptions,
      seconds: number,
    ): void => {
      const found = new Map<string, number[]>();
      for (const frames of decoded) found.set(frames.entry.name, detect(frames.times, descriptors(frames), options));
      detectors.push({ name, seconds, found });
    };
    streaming(
      'streaming, HSV histogram, threshold rule (default)',
      (frames) => frames.hsv,
      {},
      decodeSeconds + hsvSeconds,
    );
    streaming(
      'streaming, HSV histogram, SceneTilling depth rule',
      (frames) => frames.hsv,
      { rule: 'depth' },
      decodeSeconds + hsvSeconds,
    );
    streaming(
      'streaming, pixels mean token, depth rule (before)',
      (frames) => frames.pixels,
      { rule: 'depth' },
      decodeSeconds + pixelsSeconds,
    );
    streaming(
      'streaming, pixels mean token, threshold rule',
      (frames) => frames.pixels,
      {},
      decodeSeconds + pixelsSeconds,
    );
    streaming(
      'streaming, SmolVLM2 fixture mean token, depth rule (before)',
      (frames) => frames.fixture,
      { rule: 'depth' },
      decodeSeconds + fixtureSeconds,
    );
    const combined = (frames: CaseFrames, weight: number): Float32Array[] =>
      frames.hsv.map((hsv, n) =>
        combineDescriptors([
          { vector: hsv, weight },
          { vector: frames.fixture[n]!, weight: 1 - weight },
        ]),
      );
    streaming(
      'streaming, fixture + HSV (0.5 / 0.5), threshold rule',
      (frames) => combined(frames, 0.5),
      {},
      decodeSeconds + hsvSeconds + fixtureSeconds,
    );
    streaming(
      'streaming, fixture + HSV (0.5 / 0.5), depth rule',
      (frames) => combined(frames, 0.5),
      { rule: 'depth' },
      decodeSeconds + hsvSeconds + fixtureSeconds,
    );

    started = performance.now();
    const chunked = new Map<string, number[]>();
    for (const entry of cases)
      chunked.set(
        entry.name,
        (await planSceneChunks(entry.file)).chunks.slice(1).map((chunk) => chunk.start),
      );
    detectors.push({
      name: 'caption --scenes chunks (same detector, 64x48 HSV)',
      seconds: (performance.now() - started) / 1000,
      found: chunked,
    });

    started = performance.now();
    const offline = new Map<string, number[]>();
    for (const entry of cases) {
      const result = await runPipeline(entry.file, { pipeline: 'scenetilling', encoder: pixels });
      const scenes = (result.notes['scenes.scenes'] ?? []) as { start: number }[];
      offline.set(
        entry.name,
        scenes.slice(1).map((scene) => scene.start),
      );
    }
    detectors.push({
      name: 'offline scenetilling pipeline (16 frames, k = 3, pixels)',
      seconds: (performance.now() - started) / 1000,
      found: offline,
    });

    process.stdout.write(
      `${cases.length} clips: ${cases.filter((c) => c.kind === 'hard-cut').reduce((s, c) => s + c.boundaries.length, 0)} hard cuts, ${cases.filter((c) => c.kind === 'gradual').reduce((s, c) => s + c.boundaries.length, 0)} gradual transitions, ${cases.filter((c) => c.kind === 'no-cut').length} continuous shots (${cases
        .filter((c) => c.kind === 'no-cut')
        .reduce((s, c) => s + c.duration, 0)
        .toFixed(0)} s). Matching within +-${tolerance} s; streaming detectors see ${fps} fps.\n\n`,
    );
    process.stdout.write(
      '| detector | hard P | hard R | hard F1 | gradual P | gradual R | gradual F1 | false cuts in continuous shots | s |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n',
    );
    for (const detector of detectors)
      process.stdout.write(`${row(detector.name, cases, detector.found, detector.seconds)}\n`);

    process.stdout.write(
      "\nThreshold rule sweep (HSV histogram; ratio = multiple of the open scene's recent mean distance):\n\n",
    );
    process.stdout.write(
      '| detector | hard P | hard R | hard F1 | gradual P | gradual R | gradual F1 | false cuts in continuous shots | s |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n',
    );
    for (const threshold of [0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5]) {
      for (const ratio of [0, 2, 3, 4]) {
        const found = new Map<string, number[]>();
        for (const frames of decoded)
          found.set(frames.entry.name, detect(frames.times, frames.hsv, { threshold, ratio }));
        process.stdout.write(`${row(`threshold ${threshold}, ratio ${ratio}`, cases, found)}\n`);
      }
    }
    process.stdout.write(
      '\nPer clip (found boundaries, s):\n\n| clip | known | ffmpeg | HSV threshold | pixels depth (before) | offline scenetilling |\n|---|---|---|---|---|---|\n',
    );
    const list = (values: readonly number[] | undefined): string =>
      (values ?? []).map((value) => value.toFixed(1)).join(' ');
    for (const entry of cases) {
      process.stdout.write(
        `| ${entry.name} | ${list(entry.boundaries)} | ${list(detectors[0]!.found.get(entry.name))} | ${list(detectors[1]!.found.get(entry.name))} | ${list(detectors[3]!.found.get(entry.name))} | ${list(offline.get(entry.name))} |\n`,
      );
    }
  } finally {
    await model.dispose();
  }
}

/**
 * @file Live narration benchmark: how long after a scene closes its narration is complete, and how fast narration
 * runs compared with the video (real-time factor = processing wall time / media seconds; below 1 keeps up).
 *
 * For each model (the tiny test fixture, and a random-weight model with SmolVLM2-256M's dimensions when
 * `bench/.work/smolvlm2-256m-random` exists — make it with
 * `/usr/bin/python3 scripts/fixtures/make_fixture_models.py --bench-out bench/.work/smolvlm2-256m-random`):
 *   - baseline: one scene narrated alone (prefill of the scene's frames + generation, nothing else running): the
 *     floor of the close-to-end latency;
 *   - full speed: the scene set's five-clips concatenation (20 s, 4 cuts) read as fast as possible: real-time
 *     factor and latencies;
 *   - realtime: the same clip played at real speed like a live source: close-to-end latency p50/p95, real-time
 *     factor, dropped frames and merged scenes (the narrator being behind is counted, never silent); once with
 *     scenes cut on HSV histograms only (the default: no per-frame encode), once on HSV + the model's features
 *     (every frame encoded).
 * `VIDTOK_BENCH_NARRATION_MODEL` overrides the large model's directory. When that directory also holds the q4/fp16
 * variants (`decoder_model_merged_q4.onnx` ...), the large model is measured a second time with the alias's default
 * dtypes (q4 vision and decoder, fp16 embeddings).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSamples } from '../samples/generate.js';
import { buildSceneSet } from './scene-set.js';
import { meanTokenDescriptors } from '../src/core/feature-grid.js';
import { openFrames } from '../src/ingest/index.js';
import { narrateStream, type NarrationEvent } from '../src/narration/index.js';
import { narrationQuestion, narrationTokenStream } from '../src/narration/narration-prompt.js';
import { stackFrameGrids } from '../src/scenes/scene-tracker.js';
import { defaultNarrationPrompt } from '../src/narration/narration-options.js';
import { loadModel, type VlmModel } from '../src/runtime/index.js';

/** `smolvlm2-256m`'s pull dtypes (src/hub/model-aliases.ts). */
const aliasDtypes = { embed_tokens: 'fp16', vision_encoder: 'q4', decoder_model_merged: 'q4' } as const;

const benchDir = dirname(fileURLToPath(import.meta.url));
const fixtureModel = join(benchDir, '..', 'test', 'fixtures', 'models', 'smolvlm2-tiny');
const largeModel = process.env.VIDTOK_BENCH_NARRATION_MODEL ?? join(benchDir, '.work', 'smolvlm2-256m-random');
const videosDir = process.env.VIDTOK_SHARED
  ? join(process.env.VIDTOK_SHARED, 'videos')
  : join(benchDir, '..', '..', 'shared', 'videos');
const maxNewTokens = 24;
const fps = 2;

interface Row {
  readonly model: string;
  readonly mode: string;
  readonly mediaSeconds: number;
  readonly wallSeconds: number;
  readonly scenes: number;
  readonly latencies: number[];
  readonly dropped: number;
  readonly tokens: number;
  /** Scenes folded into a waiting one because the narrator was behind. */
  readonly merged: number;
  /** Median visual tokens per narration prompt. */
  readonly visualTokens: number;
}

function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

/** One scene (8 frames of the clip's first 2 s) narrated alone. */
async function baseline(model: VlmModel, clip: string, name: string): Promise<Row> {
  const encoder = model.encoder({ batchSize: 1 });
  const grids = [];
  for await (const frame of openFrames(clip, { fps: 4, end: 2, size: encoder.inputSize }))
    grids.push(await encoder.encodeFrames([frame]));
  const frames = stackFrameGrids(grids.slice(0, 8));
  void meanTokenDescriptors(frames);
  const latencies: number[] = [];
  let tokens = 0;
  for (let repeat = 0; repeat < 3; repeat++) {
    const started = performance.now();
    const session = await model.createSession(narrationTokenStream(frames, [], encoder.name));
    const result = await session.ask(narrationQuestion(defaultNarrationPrompt, ''), { maxNewTokens }).result();
    await session.dispose();
    latencies.push(performance.now() - started);
    tokens = result.stats.generatedTokens;
  }
  return {
    model: name,
    mode: 'baseline: one scene alone',
    mediaSeconds: 2,
    wallSeconds: percentile(latencies, 0.5) / 1000,
    scenes: 1,
    latencies,
    dropped: 0,
    tokens,
    merged: 0,
    visualTokens: frames.T * frames.h * frames.w,
  };
}

async function narrate(
  model: VlmModel,
  clip: string,
  duration: number,
  name: string,
  realtime: boolean,
  descriptor: 'hsv' | 'hsv+model' = 'hsv',
): Promise<Row> {
  const started = performance.now();
  const ends: Extract<NarrationEvent, { type: 'narration-end' }>[] = [];
  const stream = narrateStream(clip, { model, fps, maxNewTokens, realtime, sceneDescriptor: descriptor });
  for await (const event of stream) if (event.type === 'narration-end') ends.push(event);
  return {
    model: name,
    mode: `${realtime ? 'realtime (live-like)' : 'full speed'}, scenes on ${descriptor}`,
    merged: stream.stats.scenesMerged,
    visualTokens: percentile(
      ends.map((end) => end.visualTokens),
      0.5,
    ),
    mediaSeconds: duration,
    wallSeconds: (performance.now() - started) / 1000,
    scenes: ends.length,
    latencies: ends.map((end) => end.latencyMilliseconds),
    dropped: stream.stats.framesDropped,
    tokens: ends.reduce((sum, end) => sum + end.generatedTokens, 0),
  };
}

export async function run(): Promise<void> {
  const samples = await generateSamples(join(benchDir, '.work', 'narration-samples'));
  const samplesClip = join(benchDir, '.work', 'narration-samples', samples.scenes.file);
  const sceneSet = await buildSceneSet(join(benchDir, '.work', 'scene-set'), videosDir);
  const five = sceneSet.find((entry) => entry.name === 'five-clips')!;
  const clip = five.file;
  const duration = five.duration;
  const models: Array<{ name: string; directory: string; dtype?: typeof aliasDtypes }> = [
    { name: 'fixture (tiny)', directory: fixtureModel },
  ];
  if (existsSync(join(largeModel, 'config.json')))
    models.push({ name: 'SmolVLM2-256M dims (random, fp32)', directory: largeModel });
  // The alias's default dtypes (q4 vision and decoder, fp16 embeddings) when the bench model has those variants.
  if (existsSync(join(largeModel, 'onnx', 'decoder_model_merged_q4.onnx'))) {
    models.push({
      name: 'SmolVLM2-256M dims (random, default dtypes q4/q4/fp16)',
      directory: largeModel,
      dtype: aliasDtypes,
    });
  } else
    process.stdout.write(`No ${largeModel}: only the tiny fixture is measured (numbers are not representative).\n\n`);
  const rows: Row[] = [];
  const loads: string[] = [];
  for (const entry of models) {
    const loadStarted = performance.now();
    const model = await loadModel(entry.directory, { runner: 'child', ...(entry.dtype ? { dtype: entry.dtype } : {}) });
    loads.push(`${entry.name}: load ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`);
    try {
      rows.push(await baseline(model, samplesClip, entry.name));
      rows.push(await narrate(model, clip, duration, entry.name, false));
      rows.push(await narrate(model, clip, duration, entry.name, true));
      rows.push(await narrate(model, clip, duration, entry.name, true, 'hsv+model'));
    } finally {
      await model.dispose();
    }
  }
  process.stdout.write(
    `Clip: the scene set's five-clips.mp4 (${duration} s, cuts at ${five.boundaries.join(' s, ')} s), ${fps} fps, built-in scenetilling pipeline, ${maxNewTokens} new tokens per scene, child runner. Baseline: one scene of samples/scenes.mp4 (8 frames) narrated alone.\n\n`,
  );
  process.stdout.write(
    '| model | mode | scenes | merged | wall s | real-time factor | close→end p50 ms | p95 ms | visual tokens / prompt | tokens | frames dropped |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n',
  );
  for (const row of rows) {
    const factor = row.mode.startsWith('baseline') ? '–' : (row.wallSeconds / row.mediaSeconds).toFixed(2);
    process.stdout.write(
      `| ${row.model} | ${row.mode} | ${row.scenes} | ${row.merged} | ${row.wallSeconds.toFixed(2)} | ${factor} | ${percentile(row.latencies, 0.5).toFixed(0)} | ${percentile(row.latencies, 0.95).toFixed(0)} | ${row.visualTokens} | ${row.tokens} | ${row.dropped} |\n`,
    );
  }
  process.stdout.write(
    `\n${loads.join('; ')}. Latency counts from the scene's close (the frame that made the cut certain) to its narration-end, including waiting behind earlier scenes; the baseline row is a scene narrated alone (its latency column is the whole prefill + generation).\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();

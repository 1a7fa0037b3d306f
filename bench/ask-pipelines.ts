/**
 * @file The reason the strategies exist: `ask` end to end on a 60 s clip, one row per built-in pipeline — visual
 * tokens, prompt tokens, time to first token, total time, peak RSS — beside `uniform` with 64 frames (every token of
 * 64 frames, SmolVLM2's own video sampling) as the baseline measured in the same run. Each run is a fresh worker
 * process (its own model load, decode, vision encoding, prefill and 16 greedy tokens), so peak RSS is its own.
 *
 * Model: a random-weight export with SmolVLM2-256M's real dimensions, vision tower included (VIDTOK_BENCH_MODEL, or
 * bench/.work/smolvlm2-256m-random made by `/usr/bin/python3 scripts/fixtures/make_fixture_models.py --bench-out
 * bench/.work/smolvlm2-256m-random`); without it the tiny test fixture is used and the table says so (then the
 * figures measure the pipeline, not the vision tower). Clip: the five shared clips concatenated and looped to 60 s
 * (640x360, 25 fps), made once under bench/.work.
 */
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveBinaries } from '../src/ingest/binaries.js';
import { runToCompletion, stderrTail } from '../src/ingest/ffmpeg-adapter.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(benchDir);
const workDirectory = join(benchDir, '.work');
const benchModel = process.env.VIDTOK_BENCH_MODEL ?? join(workDirectory, 'smolvlm2-256m-random');
const fixtureModel = join(repoRoot, 'test', 'fixtures', 'models', 'smolvlm2-tiny');
const sharedVideos = process.env.VIDTOK_SHARED
  ? join(process.env.VIDTOK_SHARED, 'videos')
  : join(repoRoot, '..', 'shared', 'videos');
const clips = ['birthday.mp4', 'boat.mp4', 'making_cake.mp4', 'skateboarding_dog.mp4', 'yoga.mp4'];
const question = 'What happens in this video?';
const newTokens = 16;

interface WorkerRequest {
  readonly model: string;
  readonly video: string;
  readonly pipeline: string;
}

interface WorkerResult {
  readonly visualTokens: number;
  readonly promptTokens: number;
  readonly frames: number;
  readonly timeToFirstTokenMs: number;
  readonly totalMs: number;
  readonly encodeMs: number;
  readonly peakRssMiB: number;
}

async function makeClip(): Promise<string> {
  const path = join(workDirectory, 'ask-60s.mp4');
  if (existsSync(path)) return path;
  mkdirSync(workDirectory, { recursive: true });
  const { ffmpeg } = await resolveBinaries();
  const inputs = clips.flatMap((clip) => ['-i', `file:${join(sharedVideos, clip)}`]);
  const filters = clips.map((_, k) => `[${k}:v]fps=25,scale=640:360,setsar=1,setpts=PTS-STARTPTS[v${k}]`).join(';');
  const joined = `${clips.map((_, k) => `[v${k}]`).join('')}concat=n=${clips.length}:v=1:a=0,loop=loop=1:size=2000,trim=duration=60[out]`;
  const result = await runToCompletion(
    ffmpeg.path,
    [
      '-hide_banner',
      '-nostdin',
      '-y',
      '-loglevel',
      'error',
      ...inputs,
      '-filter_complex',
      `${filters};${joined}`,
      '-map',
      '[out]',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-g',
      '50',
      `file:${path}`,
    ],
    { operation: 'bench clip', input: 'bench', deadlineMs: 10 * 60_000 },
  );
  if (result.exitCode !== 0) throw new Error(`ffmpeg: ${stderrTail(result.stderr)}`);
  return path;
}

/** Runs in the worker process: one `askVideo` with the given pipeline. */
async function workerMain(request: WorkerRequest): Promise<WorkerResult> {
  const { askVideo } = await import('../src/uses/ask-video.js');
  const { resolvePipeline } = await import('../src/graph/pipeline-registry.js');
  let pipeline = await resolvePipeline(request.pipeline === 'uniform-64' ? 'uniform' : request.pipeline);
  if (request.pipeline === 'uniform-64') {
    pipeline = {
      ...pipeline,
      name: 'uniform-64',
      frames: { ...pipeline.frames, count: 64 },
      budget: { frameTokens: 64 },
    };
  }
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const started = performance.now();
  let firstToken: number | undefined;
  const result = await askVideo(request.video, [question], {
    model: request.model,
    pipeline,
    generation: { maxNewTokens: newTokens },
    onText: () => (firstToken ??= performance.now()),
  });
  const totalMs = performance.now() - started;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const summary = result.video;
  return {
    visualTokens: summary.visualTokens,
    promptTokens: summary.contextTokens,
    frames: summary.frames.length,
    timeToFirstTokenMs: (firstToken ?? performance.now()) - started,
    totalMs,
    encodeMs: summary.timings.encodeMilliseconds,
    peakRssMiB: peak / 2 ** 20,
  };
}

function runWorker(request: WorkerRequest): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--worker'], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('message', (message: { result?: WorkerResult; error?: string }) => {
      if (message.error !== undefined) reject(new Error(`${request.pipeline}: ${message.error}`));
      else resolve(message.result!);
      child.kill();
    });
    child.once('error', reject);
    child.once(
      'exit',
      (code) => code !== 0 && code !== null && reject(new Error(`${request.pipeline}: worker exited ${code}`)),
    );
    child.send(request);
  });
}

export async function run(): Promise<void> {
  const realSize = existsSync(join(benchModel, 'config.json'));
  const model = realSize ? benchModel : fixtureModel;
  const vision = realSize
    ? ((
        JSON.parse(readFileSync(join(benchModel, 'config.json'), 'utf8')) as {
          vision_config?: { num_hidden_layers?: number; hidden_size?: number };
        }
      ).vision_config ?? {})
    : {};
  const realVision = (vision.num_hidden_layers ?? 0) >= 12 && (vision.hidden_size ?? 0) >= 768;
  const video = await makeClip();
  const { listBuiltInPipelines } = await import('../src/graph/pipeline-registry.js');
  const names = ['uniform-64', ...(await listBuiltInPipelines()).map((pipeline) => pipeline.name)];
  process.stdout.write(
    `Model: ${realSize ? `${model} (SmolVLM2-256M dimensions, random weights; vision tower ${realVision ? 'real-size SigLIP-B/16' : `NOT real-size (${vision.num_hidden_layers ?? 0} layers, width ${vision.hidden_size ?? '?'}): encode times leave out the largest cost`})` : 'the tiny test fixture (no bench model found: figures leave out the real vision tower)'}; ` +
      `clip: 60 s 640x360; question "${question}", ${newTokens} greedy tokens; one fresh worker process per row.\n\n`,
  );
  const rows: string[] = [
    '| pipeline | frames | visual tokens | context tokens | vision encode (s) | time to first token (s) | total (s) | peak RSS (MiB) | TTFT vs uniform-64 |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  let baseline: WorkerResult | undefined;
  for (const pipeline of names) {
    try {
      const result = await runWorker({ model, video, pipeline });
      baseline ??= result;
      rows.push(
        `| ${pipeline}${pipeline === 'uniform-64' ? ' (baseline)' : ''} | ${result.frames} | ${result.visualTokens} | ${result.promptTokens} | ${(result.encodeMs / 1000).toFixed(1)} | ${(result.timeToFirstTokenMs / 1000).toFixed(1)} | ${(result.totalMs / 1000).toFixed(1)} | ${result.peakRssMiB.toFixed(0)} | ${(result.timeToFirstTokenMs / baseline.timeToFirstTokenMs).toFixed(2)}x |`,
      );
    } catch (error) {
      rows.push(`| ${pipeline} | failed: ${error instanceof Error ? error.message : String(error)} | | | | | | | |`);
    }
  }
  process.stdout.write(`${rows.join('\n')}\n`);
}

if (process.argv.includes('--worker')) {
  process.once('message', (request: WorkerRequest) => {
    workerMain(request).then(
      (result) => process.send!({ result }, () => process.exit(0)),
      (error: unknown) =>
        process.send!({ error: error instanceof Error ? error.message : String(error) }, () => process.exit(0)),
    );
  });
} else if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await run();
}

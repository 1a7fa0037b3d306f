/**
 * @file Batch throughput of the caption job machinery, in videos per minute: local p-queue mode (baseline, one
 * process) against BullMQ with one and with two worker processes on loopback Redis, measured side by side in one run.
 *
 * The processor has a fixed CPU cost standing in for inference: per chunk it hashes 64 MiB with SHA-256
 * (the run prints the measured cost per chunk, about 40 ms of one core here), 6 chunks per video (12 s of video in
 * 2 s chunks). Every mode writes jsonl+srt
 * outputs and done-markers. Worker processes run this same file with VIDTOK_BENCH_JOBS_WORKER set, so the CPU work
 * of two workers lands on two cores, the way out-of-process inference does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planChunks, runLocalBatch, startWorker, submitBatch, type CaptionProcessor } from '../src/jobs/index.js';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { sharedVideo } from '../test/helpers/paths.js';

const videoCount = 12;
const megabytesPerChunk = 64;
const block = Buffer.alloc(1 << 20, 7);

/** The fixed-cost processor: SHA-256 over `megabytesPerChunk` MiB per chunk, 6 chunks of 2 s per video. */
const benchProcessor: CaptionProcessor = async (task, context) => {
  const spans = planChunks(12, task.chunking.mode === 'fixed' ? task.chunking : { chunkSeconds: 2, overlapSeconds: 0 });
  const chunks = [];
  for (const span of spans) {
    const hash = createHash('sha256');
    for (let index = 0; index < megabytesPerChunk; index += 1) hash.update(block);
    const chunk = { ...span, text: `chunk ${hash.digest('hex').slice(0, 8)}` };
    chunks.push(chunk);
    context.onChunk?.(chunk);
    await new Promise((resolvePromise) => setImmediate(resolvePromise)); // let lock renewals through between chunks
  }
  return { chunks, metadata: { bench: true } };
};

const batchOptions = (outDir: string) => ({
  outDir,
  formats: ['jsonl', 'srt'] as const,
  chunking: { mode: 'fixed' as const, chunkSeconds: 2, overlapSeconds: 0 },
  keyParameters: { pipeline: 'bench@1', model: 'fixed-cost@1', parameters: {} },
});

function makeVideos(directory: string): string[] {
  const names = ['boat.mp4', 'yoga.mp4', 'making_cake.mp4', 'skateboarding_dog.mp4', 'birthday.mp4'];
  return Array.from({ length: videoCount }, (_, index) => {
    const path = join(directory, `video-${index}.mp4`);
    copyFileSync(sharedVideo(names[index % names.length]!), path);
    appendFileSync(path, `unique ${index}`); // distinct content -> distinct job keys
    return path;
  });
}

function spawnBenchWorker(queueUrl: string, queueName: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: {
      ...process.env,
      VIDTOK_BENCH_JOBS_WORKER: '1',
      VIDTOK_BENCH_QUEUE_URL: queueUrl,
      VIDTOK_BENCH_QUEUE_NAME: queueName,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('bench worker did not start within 30 s'));
    }, 30_000);
    child.stdout?.on('data', (data: Buffer) => {
      if (data.toString().includes('ready')) {
        clearTimeout(timer);
        resolvePromise(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench worker exited with ${code}`));
    });
  });
}

async function stopWorkers(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolvePromise) => {
          if (child.exitCode !== null) return resolvePromise();
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolvePromise();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'vidtok-bench-jobs-'));
  const redis = await startRedisServer();
  const rows: { mode: string; seconds: number }[] = [];
  try {
    const videos = makeVideos(root);
    const timed = async (mode: string, body: (outDir: string) => Promise<{ done: number }>): Promise<void> => {
      const outDir = join(root, `out-${rows.length}`);
      const started = performance.now();
      const summary = await body(outDir);
      const seconds = (performance.now() - started) / 1000;
      if (summary.done !== videoCount) throw new Error(`${mode}: ${summary.done}/${videoCount} videos done`);
      rows.push({ mode, seconds });
    };
    await timed('local p-queue, concurrency 1 (baseline)', (outDir) =>
      runLocalBatch(videos, {
        ...batchOptions(outDir),
        formats: ['jsonl', 'srt'],
        processor: benchProcessor,
        concurrency: 1,
      }),
    );
    for (const workerCount of [1, 2]) {
      const queueName = `bench-${workerCount}`;
      const children: ChildProcess[] = [];
      try {
        for (let index = 0; index < workerCount; index += 1)
          children.push(await spawnBenchWorker(redis.url, queueName));
        await timed(`BullMQ, ${workerCount} worker process${workerCount > 1 ? 'es' : ''}`, (outDir) =>
          submitBatch(videos, {
            ...batchOptions(outDir),
            formats: ['jsonl', 'srt'],
            queueUrl: redis.url,
            queueName,
            pollIntervalMs: 50,
          }),
        );
      } finally {
        await stopWorkers(children);
      }
    }
  } finally {
    await redis.stop();
    rmSync(root, { recursive: true, force: true });
  }
  const baseline = rows[0]!.seconds;
  const calibrationStart = performance.now();
  await benchProcessor(
    {
      input: 'calibration',
      key: 'k',
      chunking: { mode: 'fixed', chunkSeconds: 2, overlapSeconds: 0 },
      keyParameters: batchOptions('').keyParameters,
    },
    { signal: new AbortController().signal },
  );
  const millisecondsPerChunk = (performance.now() - calibrationStart) / 6;
  const lines = [
    `Processor: SHA-256 over ${megabytesPerChunk} MiB per chunk (${millisecondsPerChunk.toFixed(0)} ms of one core measured), ` +
      `6 chunks per video; ${videoCount} videos; outputs jsonl+srt; Redis on loopback.`,
    '',
    '| mode | wall time (s) | videos/min | vs baseline |',
    '|---|---:|---:|---:|',
    ...rows.map(
      (row) =>
        `| ${row.mode} | ${row.seconds.toFixed(2)} | ${((videoCount / row.seconds) * 60).toFixed(1)} | ${(baseline / row.seconds).toFixed(2)}x |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Worker-process entry: serve the bench queue until SIGTERM. */
async function workerMain(): Promise<void> {
  const controller = new AbortController();
  process.on('SIGTERM', () => controller.abort());
  const handle = await startWorker({
    queueUrl: process.env.VIDTOK_BENCH_QUEUE_URL ?? '',
    queueName: process.env.VIDTOK_BENCH_QUEUE_NAME,
    processor: benchProcessor,
    signal: controller.signal,
    closeTimeoutMs: 5000,
  });
  process.stdout.write('ready\n');
  await handle.closed;
}

if (process.env.VIDTOK_BENCH_JOBS_WORKER) {
  await workerMain();
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await run();
}

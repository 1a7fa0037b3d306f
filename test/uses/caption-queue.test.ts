/**
 * @file Distributed captioning against a real redis-server: `--detach` only enqueues; one `vidtok worker` child
 * process serves `vidtok caption --queue`; the producer's summary matches local mode (done + the bad file failed with its reason,
 * exit 10) and the worker writes byte-identical outputs under the same key-derived names as a local run. SIGTERM
 * closes the worker gracefully (exit 0).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeTextFile } from '../helpers/media.js';
import { repoRoot, scratchDir } from '../helpers/paths.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { runVidtok, smolvlm2Fixture, writeSmallPipeline, yogaClip } from './use-fixtures.js';

let redis: RedisServer;
let worker: ChildProcessWithoutNullStreams | undefined;
let workerLog = '';

before(async () => {
  redis = await startRedisServer();
});

after(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  await redis?.stop();
});

/** Starts `vidtok worker` and resolves once it reports ready (JSON lines on stderr: it is not a terminal). */
function startWorkerProcess(queueName: string): Promise<ChildProcessWithoutNullStreams> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'worker',
        '--queue',
        redis.url,
        '--queue-name',
        queueName,
        '-m',
        smolvlm2Fixture,
        '--close-timeout',
        '5',
      ],
      {
        cwd: repoRoot,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker not ready within 60 s: ${workerLog}`));
    }, 60_000);
    child.stderr.on('data', (data: Buffer) => {
      workerLog += data.toString();
      if (workerLog.includes('"type":"worker-ready"')) {
        clearTimeout(timer);
        resolvePromise(child);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}: ${workerLog}`));
    });
  });
}

test('caption --queue with one worker process: same summary and byte-identical outputs as local mode', async () => {
  const scratch = scratchDir('caption-queue');
  const pipeline = writeSmallPipeline(scratch, 2);
  const bad = await makeTextFile(join(scratch, 'broken.mp4'));
  const common = [
    '-m',
    smolvlm2Fixture,
    '-p',
    pipeline,
    '--chunk',
    '6s',
    '--overlap',
    '1s',
    '--max-new-tokens',
    '3',
    '--format',
    'jsonl,json,srt,vtt',
    '--json',
  ];
  const queued = join(scratch, 'queued');
  const local = join(scratch, 'local');

  // --detach before any worker runs: both videos are only enqueued.
  const detached = await runVidtok([
    'caption',
    yogaClip,
    bad,
    '--out',
    queued,
    '--queue',
    redis.url,
    '--queue-name',
    'uses-test',
    '--detach',
    ...common,
  ]);
  assert.equal(detached.code, 0, detached.stderr);
  assert.equal(JSON.parse(detached.stdout).queued, 2);

  // The waiting submission finds the same jobs (same keys) already queued and waits for the worker to finish them.
  worker = await startWorkerProcess('uses-test');
  const viaQueue = await runVidtok([
    'caption',
    yogaClip,
    bad,
    '--out',
    queued,
    '--queue',
    redis.url,
    '--queue-name',
    'uses-test',
    ...common,
  ]);
  assert.equal(viaQueue.code, 10, `${viaQueue.stderr}\nworker: ${workerLog}`);
  const summary = JSON.parse(viaQueue.stdout) as {
    done: number;
    failed: number;
    skipped: number;
    items: { input: string; status: string; reason?: string }[];
  };
  // The worker may finish the detached job before this submission hashes the video (then it is skipped as done).
  assert.equal(summary.done + summary.skipped, 1, viaQueue.stdout);
  assert.equal(summary.failed, 1);
  assert.match(summary.items.find((item) => item.status === 'failed')!.reason ?? '', /broken\.mp4/);

  const inLocal = await runVidtok(['caption', yogaClip, '--out', local, ...common]);
  assert.equal(inLocal.code, 0, inLocal.stderr);
  const names = readdirSync(local)
    .filter((name) => !name.endsWith('.done.json'))
    .sort();
  assert.equal(names.length, 4);
  assert.deepEqual(
    readdirSync(queued)
      .filter((name) => !name.endsWith('.done.json'))
      .sort(),
    names,
    'same key-derived names',
  );
  for (const name of names) {
    assert.equal(
      readFileSync(join(queued, name), 'utf8'),
      readFileSync(join(local, name), 'utf8'),
      `${name} identical`,
    );
  }

  // A resubmission finds the outputs done and enqueues nothing.
  const resubmitted = await runVidtok([
    'caption',
    yogaClip,
    '--out',
    queued,
    '--queue',
    redis.url,
    '--queue-name',
    'uses-test',
    ...common,
  ]);
  assert.equal(resubmitted.code, 0, resubmitted.stderr);
  assert.equal(JSON.parse(resubmitted.stdout).skipped, 1);

  const running = worker;
  const exited = new Promise<number | null>((resolvePromise) => running.once('exit', (code) => resolvePromise(code)));
  running.kill('SIGTERM');
  assert.equal(await exited, 0, workerLog);
  const closed = JSON.parse(workerLog.split('\n').find((line) => line.includes('"worker-closed"'))!) as {
    finished: number;
    modelLoads: number;
  };
  assert.ok(closed.finished >= 2, workerLog);
  assert.equal(closed.modelLoads, 1, 'the worker loaded its model once');
});

/**
 * @file Signals on a real `vidtok worker` with a real redis-server and the tiny fixture model. The worker is started
 * in its own process group, the way a shell runs a foreground job, and Ctrl-C is sent to that whole group, the way a
 * terminal does. ffmpeg children lead their own groups, so the first Ctrl-C reaches vidtok only: the running job
 * finishes, no new job starts. A second Ctrl-C stops at once (exit 130) and leaves no child behind. SIGTERM with a
 * short --close-timeout stops within the grace, the unfinished job stays in Redis for another worker.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { queueKeyPrefix } from '../../src/jobs/bullmq/queue-names.js';
import { repoRoot, scratchDir, sharedVideo } from '../helpers/paths.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { runVidtok, smolvlm2Fixture, writeSmallPipeline } from '../uses/use-fixtures.js';

interface ProcessInfo {
  readonly pid: number;
  readonly parent: number;
  readonly group: number;
  readonly name: string;
}

function processTable(): ProcessInfo[] {
  const table: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      table.push({ pid: Number(entry), parent: Number(fields[1]), group: Number(fields[2]), name });
    } catch {
      // exited meanwhile
    }
  }
  return table;
}

/** Every live process below `root`. */
function descendants(root: number): ProcessInfo[] {
  const table = processTable();
  const found: ProcessInfo[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const parent = frontier.pop()!;
    for (const info of table) {
      if (info.parent === parent) {
        found.push(info);
        frontier.push(info.pid);
      }
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolvePromise) => setTimeout(resolvePromise, ms));

async function waitUntil(what: string, condition: () => boolean, timeoutMs: number, log: () => string): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}: ${log().slice(-3000)}`);
    await sleep(10);
  }
}

interface RunningWorker {
  readonly child: ChildProcessWithoutNullStreams;
  readonly events: () => Array<Record<string, unknown>>;
  readonly log: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

let redis: RedisServer;
const started: ChildProcessWithoutNullStreams[] = [];

before(async () => {
  redis = await startRedisServer();
});
after(async () => {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
  await redis?.stop();
});

/** `vidtok worker` as the leader of a new process group (like a shell's foreground job). */
async function startWorker(queueName: string, closeTimeoutSeconds: number): Promise<RunningWorker> {
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
      String(closeTimeoutSeconds),
    ],
    { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'], detached: true },
  );
  started.push(child);
  let log = '';
  child.stderr.on('data', (data: Buffer) => (log += data.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolvePromise) =>
    child.once('exit', (code, signal) => resolvePromise({ code, signal, at: Date.now() })),
  );
  const events = (): Array<Record<string, unknown>> =>
    log
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  await waitUntil(
    'worker-ready',
    () => log.includes('"type":"worker-ready"') || child.exitCode !== null,
    90_000,
    () => log,
  );
  assert.equal(child.exitCode, null, log);
  return { child, events, log: () => log, exited };
}

/** Enqueues caption jobs for `videos` without waiting (`--detach`). */
async function enqueue(
  queueName: string,
  videos: readonly string[],
  out: string,
  framesPerChunk: number,
): Promise<void> {
  const pipeline = writeSmallPipeline(scratchDir('signals-pipeline'), framesPerChunk);
  const result = await runVidtok([
    'caption',
    ...videos,
    '--out',
    out,
    '--queue',
    redis.url,
    '--queue-name',
    queueName,
    '--detach',
    '-m',
    smolvlm2Fixture,
    '-p',
    pipeline,
    '--chunk',
    '3s',
    '--overlap',
    '0s',
    '--max-new-tokens',
    '2',
    '--format',
    'jsonl',
    '--json',
  ]);
  assert.equal(result.code, 0, result.stderr);
}

/** Waits until an ffmpeg is running below the worker; returns it. */
async function runningFfmpeg(worker: RunningWorker): Promise<ProcessInfo> {
  let found: ProcessInfo | undefined;
  await waitUntil(
    'an ffmpeg below the worker',
    () =>
      (found = descendants(worker.child.pid!).find((info) => info.name === 'ffmpeg' || info.name === 'ffprobe')) !==
      undefined,
    90_000,
    worker.log,
  );
  return found!;
}

describe('worker signals', { timeout: 300_000 }, () => {
  it('first Ctrl-C to the terminal group drains: ffmpeg is in its own group, the running job finishes, no new job starts', async () => {
    const out = scratchDir('signals-drain');
    const worker = await startWorker('signals-drain', 120);
    await enqueue('signals-drain', [sharedVideo('yoga.mp4'), sharedVideo('boat.mp4')], out, 2);
    const ffmpeg = await runningFfmpeg(worker);
    assert.notEqual(ffmpeg.group, worker.child.pid, 'ffmpeg leads its own process group, not the terminal job');
    process.kill(-worker.child.pid!, 'SIGINT'); // what a terminal does on Ctrl-C
    const sentAt = Date.now();
    const exit = await worker.exited;
    assert.equal(exit.code, 0, worker.log());
    const events = worker.events();
    const startsAfter = events.filter((event) => event.type === 'job-start' && Date.parse(String(event.time)) > sentAt);
    assert.deepEqual(startsAfter, [], 'no job starts after Ctrl-C');
    const ends = events.filter((event) => event.type === 'job-end');
    assert.equal(ends.length, 1, worker.log());
    assert.equal((ends[0]!.item as { status: string }).status, 'done', `the running job finished: ${worker.log()}`);
    assert.ok(
      readdirSync(out).some((name) => name.endsWith('.jsonl')),
      'its output was written',
    );
    assert.deepEqual(descendants(worker.child.pid!), []);
  });

  it('a second Ctrl-C stops at once (exit 130) and leaves no ffmpeg or model process behind', async () => {
    const out = scratchDir('signals-stop');
    const worker = await startWorker('signals-stop', 120);
    await enqueue('signals-stop', [sharedVideo('birthday.mp4')], out, 4);
    await runningFfmpeg(worker);
    const below = descendants(worker.child.pid!);
    process.kill(-worker.child.pid!, 'SIGINT');
    await sleep(300);
    const secondAt = Date.now();
    process.kill(-worker.child.pid!, 'SIGINT');
    const exit = await worker.exited;
    assert.equal(exit.code, 130, worker.log());
    assert.ok(exit.at - secondAt < 5000, `stopped ${exit.at - secondAt} ms after the second Ctrl-C`);
    await waitUntil(
      'children gone',
      () => below.every((info) => !alive(info.pid)),
      5000,
      () => JSON.stringify(below.filter((info) => alive(info.pid))),
    );
    assert.ok(!existsSync(join(out, 'birthday.jsonl')) || readdirSync(out).every((name) => !name.includes('.partial')));
  });

  it('SIGTERM drains within --close-timeout: past the grace the worker exits and the job stays queued for another worker', async () => {
    const out = scratchDir('signals-term');
    const worker = await startWorker('signals-term', 1);
    await enqueue('signals-term', [sharedVideo('birthday.mp4')], out, 4);
    await runningFfmpeg(worker);
    const below = descendants(worker.child.pid!);
    const sentAt = Date.now();
    worker.child.kill('SIGTERM');
    const exit = await worker.exited;
    assert.equal(exit.code, 0, worker.log());
    assert.ok(exit.at - sentAt < 1000 + 8000, `closed ${exit.at - sentAt} ms after SIGTERM (grace 1 s)`);
    await waitUntil(
      'children gone',
      () => below.every((info) => !alive(info.pid)),
      5000,
      () => JSON.stringify(below.filter((info) => alive(info.pid))),
    );
    // The job is not lost: it is still in Redis (active until its lock expires, then stalled and taken back by
    // another worker, as test/jobs/worker-crash.test.ts shows), neither failed nor completed.
    const queue = new Queue('signals-term', {
      connection: { host: '127.0.0.1', port: redis.port },
      prefix: queueKeyPrefix,
    });
    try {
      const counts = await queue.getJobCounts('active', 'waiting', 'delayed', 'failed', 'completed');
      assert.equal(counts.active! + counts.waiting! + counts.delayed!, 1, JSON.stringify(counts));
      assert.equal(counts.failed, 0, JSON.stringify(counts));
      assert.equal(counts.completed, 0, JSON.stringify(counts));
    } finally {
      await queue.close();
    }
  });
});

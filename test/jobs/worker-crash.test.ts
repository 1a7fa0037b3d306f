/**
 * @file Fault injection: a worker process is killed with SIGKILL in the middle of a job; the job stalls, another
 * worker process completes it, and every video ends with exactly one set of outputs (no lost, no duplicated,
 * nothing partial) whose content matches the input.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { submitBatch } from '../../src/jobs/index.js';
import { ExitCode } from '../../src/errors/index.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { scratchDir, sharedVideo } from '../helpers/paths.js';
import { expectedChunkText } from './fixtures/hashing-processor.js';
import { spawnWorkerProcess, type WorkerProcess } from './worker-process.js';
import { parseVtt } from '../output/subtitle-parsers.js';

let redis: RedisServer;
before(async () => {
  redis = await startRedisServer();
});
after(async () => {
  await redis.stop();
});

test('SIGKILL on a worker mid-job: another worker finishes it, output written once, nothing lost', async () => {
  const root = scratchDir('crash');
  const names = ['boat.mp4', 'yoga.mp4', 'making_cake.mp4', 'skateboarding_dog.mp4'];
  const inputs = names.map((name) => {
    copyFileSync(sharedVideo(name), join(root, name));
    return join(root, name);
  });
  const out = join(root, 'out');
  const log = join(root, 'executions.log');
  const environment = {
    VIDTOK_TEST_QUEUE_URL: redis.url,
    VIDTOK_TEST_QUEUE_NAME: 'crash',
    VIDTOK_TEST_LOCK_MS: '1000',
    VIDTOK_TEST_STALLED_MS: '500',
    VIDTOK_TEST_MS_PER_CHUNK: '250',
    VIDTOK_TEST_DURATION_SECONDS: '6',
    VIDTOK_TEST_EXECUTION_LOG: log,
  };
  const workers: WorkerProcess[] = [];
  try {
    const first = spawnWorkerProcess(environment);
    workers.push(first);
    await first.waitFor((event) => event.type === 'worker-ready');
    const batch = submitBatch(inputs, {
      queueUrl: redis.url,
      queueName: 'crash',
      outDir: out,
      formats: ['jsonl', 'vtt'],
      chunking: { mode: 'fixed', chunkSeconds: 2, overlapSeconds: 0 },
      keyParameters: { pipeline: 'p@1', model: 'm@1', parameters: {} },
      pollIntervalMs: 100,
      waitTimeoutMs: 60_000,
    });
    const chunk = await first.waitFor((event) => event.type === 'chunk');
    const killedInput = String(chunk.input);
    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    assert.equal((await first.exited).signal, 'SIGKILL');

    const second = spawnWorkerProcess(environment);
    workers.push(second);
    const recovered = await second.waitFor(
      (event) => event.type === 'job-end' && (event.item as { input: string }).input === killedInput,
    );
    const recoveryMs = Date.now() - killedAt;
    assert.equal((recovered.item as { status: string }).status, 'done');

    const summary = await batch;
    assert.equal(summary.done, inputs.length, JSON.stringify(summary.items));
    assert.equal(summary.failed, 0);
    assert.equal(summary.exitCode, ExitCode.ok);

    // Executions: the killed video ran in both processes, every other video exactly once.
    const executions = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' '));
    const runsOf = (input: string): string[] => executions.filter(([, path]) => path === input).map(([pid]) => pid!);
    assert.deepEqual(runsOf(killedInput), [String(first.child.pid), String(second.child.pid)]);
    for (const input of inputs) if (input !== killedInput) assert.equal(runsOf(input).length, 1, input);

    // Outputs: exactly one set per video, nothing temporary, content derived from the file itself.
    const files = readdirSync(out).sort();
    assert.equal(files.length, inputs.length * 3, files.join(', '));
    assert.ok(!files.some((name) => name.endsWith('.tmp')));
    for (const input of inputs) {
      const item = summary.items.find((entry) => entry.input === input)!;
      const vtt = item.outputs!.find((path) => path.endsWith('.vtt'))!;
      const sha = createHash('sha256').update(readFileSync(input)).digest('hex');
      const cues = parseVtt(readFileSync(vtt, 'utf8'));
      assert.deepEqual(
        cues.map((cue) => cue.text),
        [0, 1, 2].map((index) => expectedChunkText(index, sha)),
      );
      assert.deepEqual(
        cues.map((cue) => [cue.start, cue.end]),
        [
          [0, 2],
          [2, 4],
          [4, 6],
        ],
      );
    }
    process.stderr.write(
      `# worker kill: recovered the killed job ${recoveryMs} ms after SIGKILL (lock 1000 ms, stalled check 500 ms)\n`,
    );

    second.child.kill('SIGTERM');
    const exit = await second.exited;
    assert.equal(exit.code, 0);
  } finally {
    for (const worker of workers) worker.child.kill('SIGKILL');
  }
});

test('SIGTERM mid-job: the worker finishes the running job within the grace period, then exits 0', async () => {
  const root = scratchDir('drain');
  const input = join(root, 'drain.mp4');
  copyFileSync(sharedVideo('yoga.mp4'), input);
  const worker = spawnWorkerProcess({
    VIDTOK_TEST_QUEUE_URL: redis.url,
    VIDTOK_TEST_QUEUE_NAME: 'drain',
    VIDTOK_TEST_MS_PER_CHUNK: '300',
    VIDTOK_TEST_DURATION_SECONDS: '6',
  });
  try {
    await worker.waitFor((event) => event.type === 'worker-ready');
    const batch = submitBatch([input], {
      queueUrl: redis.url,
      queueName: 'drain',
      outDir: join(root, 'out'),
      formats: ['jsonl'],
      chunking: { mode: 'fixed', chunkSeconds: 2, overlapSeconds: 0 },
      keyParameters: { pipeline: 'p@1', model: 'm@1', parameters: {} },
      pollIntervalMs: 100,
      waitTimeoutMs: 30_000,
    });
    await worker.waitFor((event) => event.type === 'chunk');
    worker.child.kill('SIGTERM');
    const exit = await worker.exited;
    assert.equal(exit.code, 0);
    const jobEnd = worker.events.find((event) => event.type === 'job-end');
    assert.equal(
      (jobEnd?.item as { status?: string } | undefined)?.status,
      'done',
      'the running job was drained, not dropped',
    );
    const summary = await batch;
    assert.equal(summary.done, 1);
  } finally {
    worker.child.kill('SIGKILL');
  }
});

/**
 * @file Fault injection: Redis (with AOF persistence) is restarted in the middle of a batch; the worker (with its
 * watchdog) and the waiting producer both ride it out and the batch completes with every video done once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWorker, submitBatch, type WorkerEvent } from '../../src/jobs/index.js';
import { ExitCode } from '../../src/errors/index.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { scratchDir } from '../helpers/paths.js';
import { createHashingProcessor } from './fixtures/hashing-processor.js';

let redis: RedisServer;
before(async () => {
  redis = await startRedisServer({ persistent: true });
});
after(async () => {
  await redis.stop();
});

test('Redis restarted mid-batch: the batch still completes, each video once', async () => {
  const root = scratchDir('restart');
  const inputs = Array.from({ length: 6 }, (_, index) => {
    const path = join(root, `clip-${index}.mp4`);
    writeFileSync(path, `restart clip ${index}`);
    return path;
  });
  const out = join(root, 'out');
  const log = join(root, 'executions.log');
  const events: { at: number; event: WorkerEvent }[] = [];
  let firstJobEnded: () => void = () => undefined;
  const firstJobEnd = new Promise<void>((resolvePromise) => (firstJobEnded = resolvePromise));
  const worker = await startWorker({
    queueUrl: redis.url,
    queueName: 'restart',
    lockDurationMs: 5000,
    stalledIntervalMs: 1000,
    closeTimeoutMs: 3000,
    watchdog: { reconnectGraceMs: 3000, stuckAfterMs: 2000, checkIntervalMs: 250 },
    processor: createHashingProcessor({ durationSeconds: 6, millisecondsPerChunk: 120, executionLog: log }),
    onEvent: (event) => {
      events.push({ at: Date.now(), event });
      if (event.type === 'job-end') firstJobEnded();
    },
  });
  try {
    const batch = submitBatch(inputs, {
      queueUrl: redis.url,
      queueName: 'restart',
      outDir: out,
      formats: ['srt'],
      chunking: { mode: 'fixed', chunkSeconds: 2, overlapSeconds: 0 },
      keyParameters: { pipeline: 'p@1', model: 'm@1', parameters: {} },
      pollIntervalMs: 100,
      waitTimeoutMs: 60_000,
    });
    await firstJobEnd;
    await redis.restart(1000);
    const restartedAt = Date.now();
    const summary = await batch;
    assert.equal(summary.done, inputs.length, JSON.stringify(summary.items));
    assert.equal(summary.exitCode, ExitCode.ok);
    const markers = readdirSync(out).filter((name) => name.endsWith('.done.json'));
    assert.equal(markers.length, inputs.length);
    assert.equal(readdirSync(out).length, inputs.length * 2, 'one output + one marker per video, nothing temporary');
    const executions = readFileSync(log, 'utf8').trim().split('\n');
    for (const input of inputs)
      assert.ok(
        executions.some((line) => line.endsWith(input)),
        input,
      );
    const afterRestart = events.find(({ at, event }) => at > restartedAt && event.type === 'job-end');
    const recreated = events.filter(({ event }) => event.type === 'worker-recreated').length;
    process.stderr.write(
      `# redis restart: first job finished ${afterRestart ? afterRestart.at - restartedAt : -1} ms after Redis was back; ` +
        `watchdog recreations ${recreated}; executions ${executions.length} for ${inputs.length} videos\n`,
    );
  } finally {
    await worker.close();
  }
});

test('an outage longer than the reconnect grace makes the watchdog replace the worker; jobs still complete', async () => {
  const root = scratchDir('outage');
  const inputs = Array.from({ length: 3 }, (_, index) => {
    const path = join(root, `outage-${index}.mp4`);
    writeFileSync(path, `outage clip ${index}`);
    return path;
  });
  const events: WorkerEvent[] = [];
  const worker = await startWorker({
    queueUrl: redis.url,
    queueName: 'outage',
    lockDurationMs: 5000,
    stalledIntervalMs: 1000,
    closeTimeoutMs: 2000,
    watchdog: { reconnectGraceMs: 800, stuckAfterMs: 2000, checkIntervalMs: 250 },
    processor: createHashingProcessor({ durationSeconds: 2, millisecondsPerChunk: 50 }),
    onEvent: (event) => events.push(event),
  });
  try {
    await redis.restart(2000);
    const summary = await submitBatch(inputs, {
      queueUrl: redis.url,
      queueName: 'outage',
      outDir: join(root, 'out'),
      formats: ['jsonl'],
      chunking: { mode: 'fixed', chunkSeconds: 1, overlapSeconds: 0 },
      keyParameters: { pipeline: 'p@1', model: 'm@1', parameters: {} },
      pollIntervalMs: 100,
      waitTimeoutMs: 30_000,
    });
    assert.equal(summary.done, inputs.length);
    assert.ok(worker.recreations >= 1);
    assert.ok(
      events.some((event) => event.type === 'worker-recreated' && /no Redis 'ready' within 800 ms/.test(event.reason)),
    );
  } finally {
    await worker.close();
  }
});

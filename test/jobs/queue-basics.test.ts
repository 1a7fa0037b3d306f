/**
 * @file Queue mode against a real redis-server: submit + worker round trip with the same summary as local mode,
 * resume, dedupe by job key, --detach, refusing a Redis that may evict keys, failing fast when Redis is down,
 * and the watchdog replacing a worker that stopped picking jobs.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import {
  createRedisClient,
  connectRedis,
  queueKeyPrefix,
  startWorker,
  submitBatch,
  type SubmitBatchOptions,
  type WorkerEvent,
} from '../../src/jobs/index.js';
import { ExitCode, QueueConfigError } from '../../src/errors/index.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { scratchDir } from '../helpers/paths.js';
import { createHashingProcessor } from './fixtures/hashing-processor.js';

let redis: RedisServer;
before(async () => {
  redis = await startRedisServer();
});
after(async () => {
  await redis.stop();
});

function videos(count: number, prefix: string): { root: string; inputs: string[] } {
  const root = scratchDir(prefix);
  const inputs = Array.from({ length: count }, (_, index) => {
    const path = join(root, `${prefix}-${index}.mp4`);
    writeFileSync(path, `${prefix} video ${index}`);
    return path;
  });
  return { root, inputs };
}

function submitOptions(queueName: string, outDir: string, extra: Partial<SubmitBatchOptions> = {}): SubmitBatchOptions {
  return {
    queueUrl: redis.url,
    queueName,
    outDir,
    formats: ['jsonl', 'vtt'],
    chunking: { mode: 'fixed', chunkSeconds: 2, overlapSeconds: 0 },
    keyParameters: { pipeline: 'p@1', model: 'm@1', parameters: {} },
    pollIntervalMs: 100,
    backoffMs: 50,
    ...extra,
  };
}

test('submit + worker: done, failed with reason, exit code; resubmission skips; jobs keyed by job key', async () => {
  const { root, inputs } = videos(4, 'round');
  const bad = join(root, 'bad.mp4');
  writeFileSync(bad, 'BAD bytes');
  const out = join(root, 'out');
  const events: WorkerEvent[] = [];
  const worker = await startWorker({
    queueUrl: redis.url,
    queueName: 'round',
    processor: createHashingProcessor({ durationSeconds: 4, millisecondsPerChunk: 5 }),
    concurrency: 2,
    onEvent: (event) => events.push(event),
  });
  try {
    const summary = await submitBatch([...inputs, bad, join(root, 'absent.mp4')], submitOptions('round', out));
    assert.equal(summary.done, 4);
    assert.equal(summary.failed, 2);
    assert.equal(summary.exitCode, ExitCode.partialFailure);
    const badItem = summary.items.find((item) => item.input === bad)!;
    assert.match(badItem.reason!, /not a video file/);
    assert.equal(
      events.filter((event) => event.type === 'job-start' && event.input === bad).length,
      1,
      'non-retryable errors are not retried',
    );
    assert.equal(readdirSync(out).filter((name) => name.endsWith('.done.json')).length, 4);

    const client = createRedisClient(redis.url, 'worker');
    const queue = new Queue('round', { connection: client, prefix: queueKeyPrefix });
    const done = summary.items.find((item) => item.status === 'done')!;
    assert.equal((await queue.getJob(done.key!))?.id, done.key);
    await queue.close();
    client.disconnect();

    const again = await submitBatch(inputs, submitOptions('round', out));
    assert.equal(again.skipped, 4);
    assert.equal(again.exitCode, ExitCode.ok);
  } finally {
    await worker.close();
  }
});

test('detach only enqueues; a duplicate submission of queued jobs runs each once', async () => {
  const { root, inputs } = videos(3, 'detach');
  const out = join(root, 'out');
  const log = join(root, 'executions.log');
  const first = await submitBatch(inputs, submitOptions('detach', out, { detach: true }));
  const second = await submitBatch(inputs, submitOptions('detach', out, { detach: true }));
  assert.equal(first.queued, 3);
  assert.equal(second.queued, 3);
  const worker = await startWorker({
    queueUrl: redis.url,
    queueName: 'detach',
    processor: createHashingProcessor({ executionLog: log }),
  });
  try {
    const waited = await submitBatch(inputs, submitOptions('detach', out));
    assert.equal(waited.done + waited.skipped, 3);
    assert.equal(readFileSync(log, 'utf8').trim().split('\n').length, 3, 'one execution per video');
  } finally {
    await worker.close();
  }
});

test('identical files in one submission share one queued job and are both reported', async () => {
  const { root, inputs } = videos(1, 'twins');
  const twin = join(root, 'twin.mp4');
  writeFileSync(twin, readFileSync(inputs[0]!));
  const summary = await submitBatch([inputs[0]!, twin], submitOptions('twins', join(root, 'out'), { detach: true }));
  assert.deepEqual(
    summary.items.map((item) => item.status),
    ['queued', 'queued'],
  );
  assert.equal(summary.items[0]!.key, summary.items[1]!.key);
  const client = createRedisClient(redis.url, 'worker');
  const queue = new Queue('twins', { connection: client, prefix: queueKeyPrefix });
  assert.equal(await queue.getWaitingCount(), 1);
  await queue.close();
  client.disconnect();
});

test('refuses a Redis whose maxmemory-policy is not noeviction', async () => {
  const client = createRedisClient(redis.url, 'worker');
  await connectRedis(client, redis.url);
  await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
  try {
    await assert.rejects(
      startWorker({ queueUrl: redis.url, processor: createHashingProcessor() }),
      (error: unknown) =>
        error instanceof QueueConfigError && /maxmemory-policy is 'allkeys-lru'.*noeviction/.test(error.message),
    );
    await assert.rejects(submitBatch([], submitOptions('evict', scratchDir('evict'))), QueueConfigError);
  } finally {
    await client.config('SET', 'maxmemory-policy', 'noeviction');
    client.disconnect();
  }
});

test('producers and workers fail fast when Redis is down at startup; bad URLs are typed errors', async () => {
  const started = Date.now();
  await assert.rejects(
    submitBatch(
      [],
      submitOptions('down', scratchDir('down'), { queueUrl: 'redis://127.0.0.1:1', connectTimeoutMs: 1000 }),
    ),
    (error: unknown) => error instanceof QueueConfigError && /cannot connect/.test(error.message),
  );
  assert.ok(Date.now() - started < 5000);
  await assert.rejects(
    startWorker({ queueUrl: 'redis://127.0.0.1:1', processor: createHashingProcessor(), connectTimeoutMs: 500 }),
    (error: unknown) => error instanceof QueueConfigError && error.retryable,
  );
  await assert.rejects(submitBatch([], submitOptions('bad', '/tmp', { queueUrl: 'http://x' })), /unsupported scheme/);
});

test('watchdog: a worker that stops picking jobs while jobs wait is replaced and the batch completes', async () => {
  const { root, inputs } = videos(3, 'watchdog');
  const events: WorkerEvent[] = [];
  const worker = await startWorker({
    queueUrl: redis.url,
    queueName: 'watchdog',
    processor: createHashingProcessor(),
    watchdog: { stuckAfterMs: 600, checkIntervalMs: 100, reconnectGraceMs: 1000 },
    onEvent: (event) => events.push(event),
  });
  try {
    await worker.currentWorker.pause(true); // a worker that silently stopped receiving
    const summary = await submitBatch(inputs, submitOptions('watchdog', join(root, 'out'), { waitTimeoutMs: 20_000 }));
    assert.equal(summary.done, 3);
    assert.ok(worker.recreations >= 1);
    assert.ok(events.some((event) => event.type === 'worker-recreated' && /picked nothing/.test(event.reason)));
  } finally {
    await worker.close();
  }
});

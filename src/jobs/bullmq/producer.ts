/**
 * @file Queue mode, producer side (`vidtok caption ... --queue redis://...`): expands inputs, computes each video's
 * job key, skips videos whose done-marker is valid, and enqueues the rest with the key as BullMQ jobId (a duplicate
 * submission of a waiting or running job is one execution). Then it waits for the jobs — QueueEvents for prompt
 * notification, polling of job states as the source of truth (it survives Redis restarts) — and returns the same
 * summary as local mode; with `detach` it returns right after enqueueing. Outputs are written by the workers, so
 * `outDir` must be a directory every worker sees under the same absolute path.
 */
import { resolve } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { AbortedError, DeadlineExceededError } from '../../errors/index.js';
import { keyParametersWithChunking, validateBatchOptions, type BatchOptions } from '../batch-options.js';
import { summarizeBatch, type BatchItem, type BatchSummary } from '../batch-summary.js';
import type { CaptionJobData } from '../caption-job.js';
import { failedItem } from '../caption-job.js';
import { collidingInputs, outputBasePath, readValidDoneMarker } from '../done-marker.js';
import { expandInputs } from '../input-list.js';
import { computeJobKey } from '../job-key.js';
import { captionJobName, defaultCaptionQueueName, queueKeyPrefix } from './queue-names.js';
import {
  assertNoEviction,
  closeRedisClient,
  connectRedis,
  createRedisClient,
  type ConnectionLifecycle,
} from './redis-connection.js';

export interface SubmitBatchOptions extends BatchOptions {
  readonly queueUrl: string;
  readonly queueName?: string;
  /** Only enqueue; the summary lists the enqueued videos as `queued`. */
  readonly detach?: boolean;
  /** Attempts per job before it fails for good (default 3); non-retryable errors fail at once. */
  readonly attempts?: number;
  /** First retry delay, doubled per attempt (default 5000 ms). */
  readonly backoffMs?: number;
  /** How long to wait for Redis at start (default 10000 ms). */
  readonly connectTimeoutMs?: number;
  /** How often job states are polled while waiting (default 1000 ms). */
  readonly pollIntervalMs?: number;
  /** Give up waiting after this long (default: no limit). Jobs stay queued. */
  readonly waitTimeoutMs?: number;
}

const finishedStates = new Set(['completed', 'failed']);

/** Submits the batch to the queue and (unless detached) waits for every job. */
export async function submitBatch(inputs: readonly string[], options: SubmitBatchOptions): Promise<BatchSummary> {
  validateBatchOptions(options);
  const signal = options.signal;
  if (signal?.aborted) throw new AbortedError('caption batch', { cause: signal.reason });
  const emit = options.onEvent ?? ((): void => undefined);
  const queueName = options.queueName ?? defaultCaptionQueueName;
  const lifecycle: ConnectionLifecycle = { closed: false };
  const producer = createRedisClient(options.queueUrl, 'producer', {}, lifecycle);
  producer.on('error', () => undefined); // commands fail fast and are reported where they are awaited
  let queue: Queue | undefined;
  let events: QueueEvents | undefined;
  const listeners: Redis[] = [];
  try {
    await connectRedis(producer, options.queueUrl, { timeoutMs: options.connectTimeoutMs, signal });
    await assertNoEviction(producer, options.queueUrl);
    queue = new Queue(queueName, { connection: producer, prefix: queueKeyPrefix });
    queue.on('error', () => undefined);

    const expanded = await expandInputs(inputs, { recursive: options.recursive, signal, cwd: options.cwd });
    const items = new Map<string, BatchItem>();
    const order: string[] = [];
    for (const failure of expanded.failures) {
      order.push(failure.input);
      items.set(failure.input, {
        input: failure.input,
        status: 'failed',
        reason: failure.reason,
        code: 'INPUT_NOT_FOUND',
      });
    }
    emit({ type: 'batch-start', total: expanded.files.length + expanded.failures.length });
    for (const item of items.values()) emit({ type: 'item-end', item });

    const outDir = resolve(options.cwd ?? process.cwd(), options.outDir);
    const keyParameters = keyParametersWithChunking(options);
    const pending = new Map<string, string[]>(); // jobId -> inputs (identical files share one job)
    if (!options.detach) {
      const listener = createRedisClient(options.queueUrl, 'worker', {}, lifecycle);
      listeners.push(listener);
      events = new QueueEvents(queueName, { connection: listener, prefix: queueKeyPrefix });
      events.on('error', () => undefined);
      await events.waitUntilReady();
    }
    const colliding = collidingInputs(expanded.files);
    for (const input of expanded.files) {
      order.push(input);
      let key: string | undefined;
      try {
        const computed = await computeJobKey(input, keyParameters, { signal });
        key = computed.key;
        const collides = colliding.has(input);
        const existing = await readValidDoneMarker(
          await outputBasePath(outDir, input, { contentSha256: computed.contentSha256, collides }),
          key,
          options.formats,
        );
        if (existing) {
          const item: BatchItem = { input, status: 'skipped', key, outputs: existing };
          items.set(input, item);
          emit({ type: 'item-end', item });
          continue;
        }
        const data: CaptionJobData = {
          input,
          key,
          contentSha256: computed.contentSha256,
          outDir,
          formats: [...options.formats],
          chunking: options.chunking,
          keyParameters,
          ...(collides ? { collides } : {}),
        };
        await enqueue(queue, data, options);
        emit({ type: 'item-start', input, key });
        if (options.detach) {
          const item: BatchItem = { input, status: 'queued', key };
          items.set(input, item);
          emit({ type: 'item-end', item });
        } else {
          pending.set(key, [...(pending.get(key) ?? []), input]);
        }
      } catch (error) {
        if (signal?.aborted) throw new AbortedError('caption batch', { cause: signal.reason });
        const item = failedItem(input, error, key);
        items.set(input, item);
        emit({ type: 'item-end', item });
      }
    }

    if (!options.detach && pending.size > 0) {
      await waitForJobs(queue, events, pending, items, options);
    }
    const summary = summarizeBatch(
      order.map((input) => items.get(input)).filter((item): item is BatchItem => item !== undefined),
    );
    emit({ type: 'batch-end', summary });
    return summary;
  } finally {
    lifecycle.closed = true;
    await settleWithin(events?.close(), 2000);
    await settleWithin(queue?.close(), 2000);
    for (const listener of listeners) closeRedisClient(listener, lifecycle);
    closeRedisClient(producer, lifecycle);
  }
}

/** Adds the job under its key; a finished job with the same key (outputs since deleted) is replaced. */
async function enqueue(queue: Queue, data: CaptionJobData, options: SubmitBatchOptions): Promise<void> {
  const existing = await queue.getJob(data.key);
  if (existing) {
    const state = await existing.getState();
    if (!finishedStates.has(state)) return; // waiting, delayed or running: the same work is already queued
    await existing.remove();
  }
  await queue.add(captionJobName, data, {
    jobId: data.key,
    attempts: options.attempts ?? 3,
    backoff: { type: 'exponential', delay: options.backoffMs ?? 5000 },
    removeOnComplete: { age: 7 * 24 * 3600 },
    removeOnFail: { age: 7 * 24 * 3600 },
  });
}

/** Waits until every pending job completed or failed; fills `items`. */
async function waitForJobs(
  queue: Queue,
  events: QueueEvents | undefined,
  pending: Map<string, string[]>,
  items: Map<string, BatchItem>,
  options: SubmitBatchOptions,
): Promise<void> {
  const emit = options.onEvent ?? ((): void => undefined);
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const startedAt = Date.now();
  let wake: () => void = () => undefined;
  const poke = (): void => wake();
  events?.on('completed', poke);
  events?.on('failed', poke);
  const onProgress = ({ jobId, data }: { jobId: string; data: unknown }): void => {
    const input = pending.get(jobId)?.[0];
    const chunk = (data as { chunk?: { start: number; end: number; text: string } } | undefined)?.chunk;
    if (input !== undefined && chunk) emit({ type: 'chunk', input, chunk });
  };
  events?.on('progress', onProgress);
  const onAbort = (): void => wake();
  options.signal?.addEventListener('abort', onAbort);
  try {
    while (pending.size > 0) {
      if (options.signal?.aborted)
        throw new AbortedError('caption batch (jobs stay queued)', { cause: options.signal.reason });
      if (options.waitTimeoutMs !== undefined && Date.now() - startedAt > options.waitTimeoutMs) {
        throw new DeadlineExceededError('waiting for queued caption jobs', options.waitTimeoutMs);
      }
      for (const [jobId, inputs] of [...pending]) {
        const input = inputs[0]!;
        let item: BatchItem | undefined;
        try {
          // State first, then the job hash: a job read before it finished could carry no result or reason yet.
          const state = await queue.getJobState(jobId);
          const job = finishedStates.has(state) || state === 'unknown' ? await queue.getJob(jobId) : undefined;
          if (state === 'unknown' || (finishedStates.has(state) && !job)) {
            item = {
              input,
              status: 'failed',
              key: jobId,
              reason: 'job disappeared from the queue (removed or evicted)',
            };
          } else if (job) {
            if (state === 'completed') {
              const result = job.returnvalue as BatchItem | undefined;
              item = { input, status: 'done', key: jobId, outputs: result?.outputs ?? [] };
            } else if (state === 'failed') {
              item = { input, status: 'failed', key: jobId, reason: job.failedReason || 'failed' };
            }
          }
        } catch {
          break; // Redis unreachable (producers fail fast): try again next round
        }
        if (item) {
          pending.delete(jobId);
          for (const each of inputs) {
            const eachItem = { ...item, input: each };
            items.set(each, eachItem);
            emit({ type: 'item-end', item: eachItem });
          }
        }
      }
      if (pending.size === 0) break;
      await new Promise<void>((resolvePromise) => {
        const timer = setTimeout(resolvePromise, pollIntervalMs);
        wake = () => {
          clearTimeout(timer);
          resolvePromise();
        };
      });
    }
  } finally {
    events?.off('completed', poke);
    events?.off('failed', poke);
    events?.off('progress', onProgress);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** Waits for a closing promise, but never longer than `ms` (closing against a dead Redis can hang). */
async function settleWithin(promise: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!promise) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise((resolvePromise) => (timer = setTimeout(resolvePromise, ms))),
  ]);
  clearTimeout(timer);
}

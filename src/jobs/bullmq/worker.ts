/**
 * @file The queue worker behind `vidtok worker --queue redis://...`: takes caption jobs from BullMQ, runs each
 * through the injected processor (which does the heavy work out of process, so this event loop stays free and job
 * locks keep renewing) and writes outputs atomically under key-derived names, so at-least-once delivery never
 * duplicates output. A watchdog replaces the BullMQ worker when it stops receiving after a Redis reconnect.
 * Refuses to start unless Redis uses `maxmemory-policy noeviction`.
 */
import { isAbsolute } from 'node:path';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { AbortedError, VidtokError } from '../../errors/index.js';
import type { BatchItem } from '../batch-summary.js';
import type { CaptionProcessor } from '../caption-processor.js';
import { executeCaptionJob, failedItem, type CaptionJobData } from '../caption-job.js';
import { validateConcurrency } from '../batch-options.js';
import { defaultCaptionQueueName, queueKeyPrefix } from './queue-names.js';
import {
  assertNoEviction,
  closeRedisClient,
  connectRedis,
  createRedisClient,
  type ConnectionLifecycle,
} from './redis-connection.js';
import { startWatchdog, type Watchdog, type WatchdogOptions } from './watchdog.js';
import type { WorkerEventListener } from './worker-events.js';

export interface StartWorkerOptions {
  readonly queueUrl: string;
  readonly processor: CaptionProcessor;
  /** Jobs this process runs at the same time (default 1). */
  readonly concurrency?: number;
  readonly queueName?: string;
  /** Aborting closes the worker gracefully (active jobs finish, up to `closeTimeoutMs`). */
  readonly signal?: AbortSignal;
  readonly onEvent?: WorkerEventListener;
  /** BullMQ job lock duration (default 30000 ms); renewed every half of it while the job runs. */
  readonly lockDurationMs?: number;
  /** How often stalled jobs (their worker died) are moved back to waiting (default 30000 ms). */
  readonly stalledIntervalMs?: number;
  /** How many times a job may stall before it fails (default 2). */
  readonly maxStalledCount?: number;
  /** Watchdog settings, or false to disable it. */
  readonly watchdog?: WatchdogOptions | false;
  /** How long to wait for Redis at start (default 10000 ms). */
  readonly connectTimeoutMs?: number;
  /** How long a graceful close waits for active jobs before forcing (default: the lock duration). */
  readonly closeTimeoutMs?: number;
}

export interface WorkerHandle {
  /** Jobs finished by this process (done, skipped or failed). */
  readonly finished: number;
  /** Times the watchdog replaced the BullMQ worker. */
  readonly recreations: number;
  /** The current BullMQ worker (for diagnostics and tests). */
  readonly currentWorker: Worker;
  /** Stops taking jobs, lets active jobs finish (bounded by closeTimeoutMs), closes every connection. */
  close(): Promise<void>;
  /** Resolves once the worker is closed (by close() or the signal). */
  readonly closed: Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolvePromise) => setTimeout(resolvePromise, ms));
/** A deadline for Promise.race that does not keep the process alive once everything else has closed. */
const deadline = (ms: number): Promise<void> => new Promise((resolvePromise) => setTimeout(resolvePromise, ms).unref());

/**
 * Closes a BullMQ worker without hanging: stop fetching, wait (up to `timeoutMs`) for this process's active jobs of
 * that worker, then force-close. BullMQ's graceful close never times out by itself and, against a Redis that went
 * away, may never finish; and a forced close requested after a graceful one just returns the pending graceful close.
 */
async function closeWorkerWithDeadline(
  worker: Worker,
  timeoutMs: number,
  activeJobs: () => number,
  beforeForce: () => void,
): Promise<void> {
  await Promise.race([worker.pause(true).catch(() => undefined), deadline(1000)]);
  const giveUpAt = Date.now() + timeoutMs;
  while (activeJobs() > 0 && Date.now() < giveUpAt) await sleep(50);
  beforeForce();
  const closed = await Promise.race([
    worker.close(true).then(
      () => true,
      () => true,
    ),
    deadline(3000).then(() => false),
  ]);
  if (!closed) await Promise.race([worker.disconnect().catch(() => undefined), deadline(2000)]);
}

/** Starts a worker; resolves once Redis is reachable, checked, and the first BullMQ worker runs. */
export async function startWorker(options: StartWorkerOptions): Promise<WorkerHandle> {
  const concurrency = options.concurrency ?? 1;
  validateConcurrency(concurrency);
  const queueName = options.queueName ?? defaultCaptionQueueName;
  const lockDuration = options.lockDurationMs ?? 30_000;
  const stalledInterval = options.stalledIntervalMs ?? 30_000;
  const closeTimeoutMs = options.closeTimeoutMs ?? lockDuration;
  const emit = options.onEvent ?? ((): void => undefined);
  if (options.signal?.aborted) throw new AbortedError('start worker', { cause: options.signal.reason });

  const monitorLifecycle: ConnectionLifecycle = { closed: false };
  const monitor = createRedisClient(options.queueUrl, 'worker', {}, monitorLifecycle);
  monitor.on('error', () => undefined); // reported through the watchdog and the BullMQ worker's own errors
  try {
    await connectRedis(monitor, options.queueUrl, { timeoutMs: options.connectTimeoutMs, signal: options.signal });
    await assertNoEviction(monitor, options.queueUrl);
  } catch (error) {
    closeRedisClient(monitor, monitorLifecycle);
    throw error;
  }
  const monitorQueue = new Queue(queueName, { connection: monitor, prefix: queueKeyPrefix });
  monitorQueue.on('error', () => undefined);

  const shutdown = new AbortController();
  let finished = 0;
  let lastPickedAt = Date.now();
  const templates = new Map<Worker, { template: Redis; lifecycle: ConnectionLifecycle; counter: { active: number } }>();

  /** Runs one job; `counter` tracks the active jobs of the BullMQ worker that took it. */
  const handle = async (counter: { active: number }, job: Job, jobSignal?: AbortSignal): Promise<BatchItem> => {
    const data = job.data as CaptionJobData;
    if (!data || typeof data.input !== 'string' || !isAbsolute(data.outDir ?? '')) {
      throw new UnrecoverableError(`job ${job.id}: malformed caption job data`);
    }
    counter.active += 1;
    lastPickedAt = Date.now();
    const jobId = String(job.id);
    emit({ type: 'job-start', jobId, input: data.input, attempt: job.attemptsStarted });
    const signal = jobSignal ? AbortSignal.any([jobSignal, shutdown.signal]) : shutdown.signal;
    try {
      let chunks = 0;
      const item = await executeCaptionJob(data, {
        processor: options.processor,
        signal,
        onChunk: (chunk) => {
          chunks += 1;
          emit({ type: 'chunk', jobId, input: data.input, chunk });
          job.updateProgress({ chunks, chunk }).catch(() => undefined);
        },
      });
      emit({ type: 'job-end', jobId, item });
      return item;
    } catch (error) {
      const item = failedItem(data.input, error, data.key);
      emit({ type: 'job-end', jobId, item });
      const message = item.reason ?? 'failed';
      if (VidtokError.isInstance(error) && !error.retryable && !(error instanceof AbortedError)) {
        throw new UnrecoverableError(message);
      }
      throw error instanceof Error ? error : new Error(message);
    } finally {
      counter.active -= 1;
      finished += 1;
    }
  };

  const createWorker = (): Worker => {
    // BullMQ duplicates this never-connected template for its own (blocking) connections and owns those.
    const lifecycle: ConnectionLifecycle = { closed: false };
    const template = createRedisClient(options.queueUrl, 'worker', {}, lifecycle);
    const counter = { active: 0 };
    const worker = new Worker(queueName, (job, _token, jobSignal) => handle(counter, job, jobSignal), {
      connection: template,
      prefix: queueKeyPrefix,
      concurrency,
      lockDuration,
      stalledInterval,
      maxStalledCount: options.maxStalledCount ?? 2,
      autorun: true,
    });
    templates.set(worker, { template, lifecycle, counter });
    worker.on('error', (error) => emit({ type: 'warning', message: `worker: ${error.message}` }));
    worker.on('stalled', (jobId) => emit({ type: 'job-stalled', jobId }));
    lastPickedAt = Date.now();
    return worker;
  };

  /** Closes a BullMQ worker and ends its connections, including the ones BullMQ duplicated from the template. */
  const retire = async (worker: Worker): Promise<void> => {
    const owned = templates.get(worker);
    await closeWorkerWithDeadline(
      worker,
      closeTimeoutMs,
      () => owned?.counter.active ?? 0,
      () => {
        if (owned) owned.lifecycle.closed = true; // from here on its connections stop reconnecting
      },
    );
    if (owned) closeRedisClient(owned.template, owned.lifecycle);
    templates.delete(worker);
  };

  let current = createWorker();
  await current.waitUntilReady();
  emit({ type: 'worker-ready', queue: queueName });

  let watchdog: Watchdog | undefined;
  if (options.watchdog !== false) {
    watchdog = startWatchdog(
      monitor,
      {
        waitingCount: () => monitorQueue.getWaitingCount(),
        hasFreeSlot: () => (templates.get(current)?.counter.active ?? 0) < concurrency,
        lastPickedAt: () => lastPickedAt,
        recreate: async (reason) => {
          if (shutdown.signal.aborted) return;
          emit({ type: 'worker-recreated', reason });
          const old = current;
          current = createWorker();
          void retire(old);
        },
      },
      options.watchdog ?? {},
      (message) => emit({ type: 'warning', message }),
    );
  }

  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolvePromise) => {
    resolveClosed = resolvePromise;
  });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      watchdog?.stop();
      options.signal?.removeEventListener('abort', onAbort);
      await retire(current);
      shutdown.abort(new AbortedError('worker', {}));
      monitorLifecycle.closed = true;
      await Promise.race([monitorQueue.close().catch(() => undefined), deadline(2000)]);
      closeRedisClient(monitor, monitorLifecycle);
      for (const { template, lifecycle } of templates.values()) closeRedisClient(template, lifecycle);
      resolveClosed();
    })();
    return closing;
  };
  const onAbort = (): void => void close();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  return {
    get finished() {
      return finished;
    },
    get recreations() {
      return watchdog?.recreations ?? 0;
    },
    get currentWorker() {
      return current;
    },
    close,
    closed,
  };
}

/**
 * @file Redis connections for the job queue, following BullMQ's production guidance: producers fail fast
 * (`enableOfflineQueue: false`), workers and event listeners wait through outages (`maxRetriesPerRequest: null`),
 * and nothing starts unless Redis runs with `maxmemory-policy noeviction` (any other policy can silently evict
 * queue keys and lose jobs). BullMQ 6 loads no Redis driver by itself under ESM, so every connection is an ioredis
 * instance created here.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { AbortedError, QueueConfigError } from '../../errors/index.js';

export type ConnectionRole = 'producer' | 'worker';

/** Parses `redis://[user:password@]host[:port][/db]` or `rediss://...` into ioredis options. */
export function parseQueueUrl(queueUrl: string): RedisOptions {
  let url: URL;
  try {
    url = new URL(queueUrl);
  } catch {
    throw new QueueConfigError(queueUrl, 'not a URL (expected redis://host:port)');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new QueueConfigError(queueUrl, `unsupported scheme '${url.protocol}' (expected redis:// or rediss://)`);
  }
  const port = url.port === '' ? 6379 : Number(url.port);
  const databaseText = url.pathname.replace(/^\//, '');
  const db = databaseText === '' ? 0 : Number(databaseText);
  if (!Number.isInteger(db) || db < 0)
    throw new QueueConfigError(queueUrl, `database '${databaseText}' is not a number`);
  const options: RedisOptions = { host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port, db };
  if (url.username) options.username = decodeURIComponent(url.username);
  if (url.password) options.password = decodeURIComponent(url.password);
  if (url.protocol === 'rediss:') options.tls = {};
  return options;
}

/**
 * Lets the owner of a client stop its reconnect loop: once `closed` is set, the next reconnect attempt gives up and
 * the client ends. Needed for clients BullMQ duplicated from ours (we cannot reach them), and because ioredis'
 * `disconnect()` during `reconnecting` leaves a client that never ends.
 */
export interface ConnectionLifecycle {
  closed: boolean;
}

/** Reconnect quickly at first, then every 2 s (outages are noticed promptly); stop once the owner closed. */
const retryStrategyFor =
  (lifecycle: ConnectionLifecycle | undefined) =>
  (times: number): number | null =>
    lifecycle?.closed ? null : Math.min(100 * 2 ** Math.min(times, 5), 2000);

/**
 * A new, not yet connected ioredis client for a role. Producers: offline queue off, one retry per request.
 * Workers: unlimited retries per request (BullMQ requires it for blocking connections).
 */
export function createRedisClient(
  queueUrl: string,
  role: ConnectionRole,
  extra: RedisOptions = {},
  lifecycle?: ConnectionLifecycle,
): Redis {
  const base = parseQueueUrl(queueUrl);
  const roleOptions: RedisOptions =
    role === 'producer'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1 }
      : { enableOfflineQueue: true, maxRetriesPerRequest: null };
  return new Redis({
    ...base,
    ...roleOptions,
    connectTimeout: 5000,
    retryStrategy: retryStrategyFor(lifecycle),
    lazyConnect: true,
    ...extra,
  });
}

/** Connects and waits for `ready`; rejects with QueueConfigError after `timeoutMs` or AbortedError on abort. */
export async function connectRedis(
  client: Redis,
  queueUrl: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (client.status === 'ready') return;
  await new Promise<void>((resolvePromise, reject) => {
    let lastError: unknown;
    const cleanup = (): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
      options.signal?.removeEventListener('abort', onAbort);
    };
    const onReady = (): void => {
      cleanup();
      resolvePromise();
    };
    const onError = (error: unknown): void => {
      lastError = error;
    };
    const onAbort = (): void => {
      cleanup();
      reject(new AbortedError(`connect ${queueUrl}`, { cause: options.signal?.reason }));
    };
    const timer = setTimeout(() => {
      cleanup();
      const detail = lastError instanceof Error ? ` (${lastError.message})` : '';
      reject(
        new QueueConfigError(queueUrl, `cannot connect to Redis within ${timeoutMs} ms${detail}`, {
          retryable: true,
          cause: lastError,
        }),
      );
    }, timeoutMs);
    client.on('ready', onReady);
    client.on('error', onError);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (client.status === 'wait') client.connect().catch(onError);
  });
}

/** Reads `maxmemory-policy` (through INFO, which works where CONFIG is disabled) and refuses anything but noeviction. */
export async function assertNoEviction(client: Redis, queueUrl: string): Promise<void> {
  const info = await client.info('memory');
  const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
  if (policy === undefined) {
    throw new QueueConfigError(queueUrl, 'cannot read maxmemory-policy from INFO memory; BullMQ needs noeviction');
  }
  if (policy !== 'noeviction') {
    throw new QueueConfigError(
      queueUrl,
      `Redis maxmemory-policy is '${policy}'; BullMQ needs 'noeviction' or jobs can be lost (set it with CONFIG SET maxmemory-policy noeviction)`,
    );
  }
}

/**
 * Closes a client without waiting for a server that may be gone, and marks its lifecycle closed so duplicates of it
 * (owned by BullMQ) stop reconnecting too.
 */
export function closeRedisClient(client: Redis, lifecycle?: ConnectionLifecycle): void {
  if (lifecycle) lifecycle.closed = true;
  client.disconnect(false);
}

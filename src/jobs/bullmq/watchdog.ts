/**
 * @file A watchdog for BullMQ workers that stop receiving jobs after a Redis restart or failover (taskforcesh/bullmq
 * #648, #2466, #2964, #3185). Following the maintainer's advice in #3185 it watches an ioredis client's
 * `close`/`reconnecting`/`ready` events and asks for a new worker when:
 * - no `ready` arrives within `reconnectGraceMs` after a disconnect, or
 * - Redis is reachable, jobs keep waiting, the worker has a free slot, and it picked nothing for `stuckAfterMs`.
 * The watchdog only decides; recreating the worker is the caller's `recreate` callback.
 */
import type { EventEmitter } from 'node:events';

export interface WatchdogOptions {
  /** How long to wait for `ready` after a disconnect before recreating the worker (default 15000 ms). */
  readonly reconnectGraceMs?: number;
  /** How long jobs may wait next to an idle worker slot before recreating the worker (default 60000 ms). */
  readonly stuckAfterMs?: number;
  /** How often the waiting-jobs check runs (default 5000 ms). */
  readonly checkIntervalMs?: number;
}

export interface WatchdogTarget {
  /** Jobs waiting in the queue; may throw while Redis is unreachable. */
  waitingCount(): Promise<number>;
  /** Whether the current worker could take another job now. */
  hasFreeSlot(): boolean;
  /** Epoch ms when the current worker last picked a job (or was created). */
  lastPickedAt(): number;
  /** Replaces the current worker. */
  recreate(reason: string): Promise<void>;
}

export interface Watchdog {
  /** Recreations requested so far. */
  readonly recreations: number;
  stop(): void;
}

/** A client the watchdog can observe: ioredis emits these events and exposes `status`. */
export interface ObservedConnection extends EventEmitter {
  readonly status: string;
}

/** Starts watching; call `stop()` before closing the worker. */
export function startWatchdog(
  connection: ObservedConnection,
  target: WatchdogTarget,
  options: WatchdogOptions = {},
  onWarning: (message: string) => void = () => undefined,
): Watchdog {
  const reconnectGraceMs = options.reconnectGraceMs ?? 15_000;
  const stuckAfterMs = options.stuckAfterMs ?? 60_000;
  const checkIntervalMs = options.checkIntervalMs ?? 5_000;
  let stopped = false;
  let recreations = 0;
  let graceTimer: NodeJS.Timeout | undefined;
  let recreatedThisOutage = false;
  let waitingSince: number | undefined;
  let running: Promise<void> = Promise.resolve();
  let checking = false;

  const recreate = (reason: string): void => {
    if (stopped) return;
    recreations += 1;
    waitingSince = undefined;
    running = running
      .then(() => target.recreate(reason))
      .catch((error: unknown) => {
        onWarning(`watchdog: recreating the worker failed: ${error instanceof Error ? error.message : String(error)}`);
      });
  };

  const onDisconnect = (): void => {
    if (stopped || graceTimer !== undefined || recreatedThisOutage) return;
    graceTimer = setTimeout(() => {
      graceTimer = undefined;
      if (connection.status !== 'ready') {
        recreatedThisOutage = true; // once per outage; the stuck check covers a worker that is still deaf afterwards
        recreate(`no Redis 'ready' within ${reconnectGraceMs} ms after a disconnect`);
      }
    }, reconnectGraceMs);
    graceTimer.unref();
  };
  const onReady = (): void => {
    if (graceTimer !== undefined) clearTimeout(graceTimer);
    graceTimer = undefined;
    recreatedThisOutage = false;
    waitingSince = undefined;
  };

  const check = async (): Promise<void> => {
    if (stopped || checking || connection.status !== 'ready') return;
    checking = true;
    try {
      const waiting = await target.waitingCount();
      const now = Date.now();
      if (waiting === 0 || !target.hasFreeSlot()) {
        waitingSince = undefined;
      } else if (waitingSince === undefined || target.lastPickedAt() >= waitingSince) {
        waitingSince = now;
      } else if (now - waitingSince >= stuckAfterMs) {
        recreate(
          `${waiting} job(s) waited ${now - waitingSince} ms while the worker had a free slot and picked nothing`,
        );
      }
    } catch {
      // Redis unreachable right now: the disconnect timer covers this case.
    } finally {
      checking = false;
    }
  };

  connection.on('close', onDisconnect);
  connection.on('reconnecting', onDisconnect);
  connection.on('end', onDisconnect);
  connection.on('ready', onReady);
  const interval = setInterval(() => void check(), checkIntervalMs);
  interval.unref();

  return {
    get recreations() {
      return recreations;
    },
    stop() {
      stopped = true;
      clearInterval(interval);
      if (graceTimer !== undefined) clearTimeout(graceTimer);
      connection.off('close', onDisconnect);
      connection.off('reconnecting', onDisconnect);
      connection.off('end', onDisconnect);
      connection.off('ready', onReady);
    },
  };
}

/**
 * @file Starts a real `redis-server` for tests on a free loopback port (`--save '' --appendonly no`, or AOF in a
 * temporary directory when a test restarts Redis and needs the data to survive), waits for PING, and stops it.
 * There is no skip: a missing redis-server fails the test loudly (.ci/run installs it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { scratchDir } from './paths.js';

export interface RedisServerOptions {
  /** Keep data across restart() with AOF (`--appendonly yes --appendfsync always --dir <tmp>`). */
  readonly persistent?: boolean;
  /** Extra `--name value` arguments, e.g. ['--maxmemory-policy', 'allkeys-lru']. */
  readonly extraArguments?: readonly string[];
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Stops and starts again on the same port (same data directory). */
  restart(downtimeMs?: number): Promise<void>;
}

function redisBinary(): string {
  const candidates = [process.env.REDIS_SERVER, '/usr/bin/redis-server', '/usr/local/bin/redis-server'].filter(
    (candidate): candidate is string => Boolean(candidate),
  );
  for (const candidate of candidates) if (existsSync(candidate)) return candidate;
  const found = spawnSync('which', ['redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (found) return found;
  throw new Error('redis-server not found: install the Debian package redis-server (.ci/run does) or set REDIS_SERVER');
}

async function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

/** Sends PING over a raw socket; true on +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const done = (result: boolean): void => {
      socket.destroy();
      resolvePromise(result);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

async function waitForPing(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${output()}`);
    if (await ping(port)) return;
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server on port ${port} did not answer PING within 10 s: ${output()}`);
}

/** Starts a server; always pair with `stop()` (e.g. in an `after` hook). */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = redisBinary();
  const port = await freePort();
  const directory = mkdtempSync(join(scratchDir('redis'), 'data-'));
  const argumentsList = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--dir',
    directory,
    '--daemonize',
    'no',
    ...(options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    ...(options.extraArguments ?? []),
  ];
  let child: ChildProcess | undefined;
  let output = '';
  const launch = async (): Promise<void> => {
    output = '';
    const started = spawn(binary, argumentsList, { stdio: ['ignore', 'pipe', 'pipe'] });
    started.stdout?.on('data', (data: Buffer) => (output = (output + data.toString()).slice(-2000)));
    started.stderr?.on('data', (data: Buffer) => (output = (output + data.toString()).slice(-2000)));
    child = started;
    await waitForPing(port, started, () => output);
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolvePromise) => running.once('exit', () => resolvePromise()));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  await launch();
  const killOnExit = (): void => {
    child?.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      await stop();
      process.off('exit', killOnExit);
    },
    restart: async (downtimeMs = 500) => {
      await stop();
      await new Promise((resolvePromise) => setTimeout(resolvePromise, downtimeMs));
      await launch();
    },
  };
}

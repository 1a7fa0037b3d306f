/**
 * @file The one module that starts ffmpeg and ffprobe processes. Every child gets an argv array (never a shell), a
 * deadline and an AbortSignal; on either it is killed (SIGTERM, then SIGKILL after a grace period) and the caller
 * gets a typed error. Live children are tracked so tests can assert that none survives.
 *
 * Each child leads its own process group (`detached`), so a Ctrl-C typed in the terminal reaches vidtok only and
 * vidtok decides: a worker drains (its running ffmpeg keeps going), a second Ctrl-C stops now. Because the terminal
 * no longer kills them, vidtok kills them on every way out: abort, deadline, and process exit (an `exit` hook sends
 * SIGKILL to every live group, which covers `process.exit()` after a second Ctrl-C). If vidtok itself is killed
 * with SIGKILL, a child dies on its next write into the pipe nobody reads any more (EPIPE).
 *
 * Why not fluent-ffmpeg: it is archived upstream and, for our needs, a command-line generator in the way. Its
 * ffprobe wrapper takes no deadline or AbortSignal and hides the child process, so a hung probe cannot be killed;
 * its command builder reorders options, so we cannot guarantee exact argv (`-protocol_whitelist` before `-i`,
 * `file:`-prefixed inputs, input-side `-ss`); and it gives no backpressure control over the raw-frame pipe. We
 * therefore spawn ffmpeg/ffprobe directly here and nothing in the project imports fluent-ffmpeg.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { AbortedError, DeadlineExceededError, FfmpegError, NetworkRefusedError } from '../errors/index.js';
import { runningForwardingProxy, type ProxyRegistration } from '../net/forwarding-proxy.js';

/** Process ids of the ffmpeg/ffprobe children this process started and that have not exited yet. */
const liveChildren = new Set<number>();

/** Process ids of running ffmpeg/ffprobe children started by vidtok (for tests and diagnostics). */
export function activeChildProcessIds(): number[] {
  return [...liveChildren];
}

/** How long a child gets between SIGTERM and SIGKILL. */
const killGraceMs = 1500;

/** Sends `signal` to the child's whole process group (ffmpeg may start helpers), falling back to the child itself. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

let exitHookInstalled = false;

/** On process exit, SIGKILL every child group still running (they do not share the terminal's group). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveChildren) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

export interface ChildOptions {
  /** Human-readable operation name for errors, e.g. `probe clip.mp4`. */
  readonly operation: string;
  /** The input the operation is about (named in error messages). */
  readonly input: string;
  /** Wall-clock deadline for the whole process; undefined or 0 means none (live sources). */
  readonly deadlineMs?: number;
  readonly signal?: AbortSignal;
  /** What to connect to the child's stdin: 'ignore' (default) or 'pipe' (the caller writes into `child.stdin`). */
  readonly stdin?: 'ignore' | 'pipe';
  /** The child's whole environment (default: this process's); e.g. with `http_proxy` set by the network guard. */
  readonly environment?: NodeJS.ProcessEnv;
}

/** A running child with a promise that settles when it exits or is killed. */
export interface ManagedChild {
  readonly process: ChildProcess;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly stdin: Writable | null;
  /** Resolves with the exit code; rejects with AbortedError / DeadlineExceededError / FfmpegError (spawn failure). */
  readonly exited: Promise<number>;
  /** Kills the child (SIGTERM then SIGKILL) and resolves once it has exited. */
  kill(): Promise<void>;
}

/** Whether the child's `-protocol_whitelist` lets it speak HTTP (then it must go through the network guard). */
function speaksHttp(args: readonly string[]): boolean {
  const index = args.indexOf('-protocol_whitelist');
  if (index < 0) return false;
  return (args[index + 1] ?? '')
    .split(',')
    .some((protocol) => protocol === 'http' || protocol === 'https' || protocol === 'httpproxy');
}

/**
 * The environment of an HTTP-speaking child: its own credentials on the forwarding proxy as `http_proxy` (ffmpeg
 * reads it for every HTTP and TLS connection, nested HLS opens included) and no `no_proxy` exceptions.
 */
function guardedEnvironment(registration: ProxyRegistration, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...base, http_proxy: registration.url, HTTP_PROXY: registration.url };
  for (const name of ['no_proxy', 'NO_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY'])
    delete environment[name];
  return environment;
}

/** Starts `binary` with `args` (no shell), enforcing the deadline and the abort signal. */
export function startChild(binary: string, args: readonly string[], options: ChildOptions): ManagedChild {
  if (options.signal?.aborted) throw new AbortedError(options.operation);
  installExitHook();
  let registration: ProxyRegistration | undefined;
  let onRefused: (reason: string) => void = () => undefined;
  if (speaksHttp(args)) {
    const proxy = runningForwardingProxy();
    // Fail closed: an HTTP input that skipped classifyInput (which starts the guard) must not reach the network.
    if (!proxy)
      throw new FfmpegError(
        options.input,
        'the network guard is not running (inputs must go through classifyInput)',
        '',
      );
    registration = proxy.register(options.input, (reason) => onRefused(reason));
  }
  const environment = registration
    ? guardedEnvironment(registration, options.environment ?? process.env)
    : options.environment;
  const child = spawn(binary, [...args], {
    shell: false,
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
    windowsHide: true,
    // Its own process group: a terminal's Ctrl-C goes to vidtok, which decides when ffmpeg stops.
    detached: true,
    ...(environment ? { env: environment } : {}),
  });
  if (child.pid !== undefined) liveChildren.add(child.pid);
  let failure: Error | undefined;
  let exitedFlag = false;
  let timer: NodeJS.Timeout | undefined;
  let killTimer: NodeJS.Timeout | undefined;

  const terminate = (): void => {
    if (exitedFlag) return;
    signalGroup(child, 'SIGTERM');
    killTimer ??= setTimeout(() => {
      if (!exitedFlag) signalGroup(child, 'SIGKILL');
    }, killGraceMs);
  };
  const onAbort = (): void => {
    failure ??= new AbortedError(options.operation);
    terminate();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  onRefused = (reason) => {
    failure ??= new NetworkRefusedError(options.input, reason);
    terminate();
  };
  if (options.deadlineMs && options.deadlineMs > 0) {
    const deadlineMs = options.deadlineMs;
    timer = setTimeout(() => {
      failure ??= new DeadlineExceededError(options.operation, deadlineMs);
      terminate();
    }, deadlineMs);
  }

  const exited = new Promise<number>((resolve, reject) => {
    let spawnError: Error | undefined;
    child.once('error', (error) => {
      spawnError = error;
    });
    child.once('close', (code, signal) => {
      exitedFlag = true;
      registration?.release();
      if (child.pid !== undefined) liveChildren.delete(child.pid);
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      if (failure) reject(failure);
      else if (spawnError)
        reject(
          new FfmpegError(options.input, `cannot start ${binary}: ${spawnError.message}`, '', { cause: spawnError }),
        );
      // Like a shell: a child killed by signal N reports 128 + N (a segfault is 139).
      else resolve(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1));
    });
  });
  // Avoid unhandled-rejection noise when the caller only awaits `kill()`.
  exited.catch(() => undefined);
  // A consumer that stops reading must not crash us with EPIPE on stdin.
  child.stdin?.on('error', () => undefined);

  return {
    process: child,
    stdout: child.stdout as Readable,
    stderr: child.stderr as Readable,
    stdin: child.stdin,
    exited,
    async kill(): Promise<void> {
      failure ??= new AbortedError(options.operation);
      terminate();
      await exited.catch(() => undefined);
    },
  };
}

export interface CollectedOutput {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a child to completion and collects stdout/stderr as text (bounded to `maxBytes` each). */
export async function runToCompletion(
  binary: string,
  args: readonly string[],
  options: ChildOptions & { maxBytes?: number },
): Promise<CollectedOutput> {
  const child = startChild(binary, args, options);
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  const collect = (stream: Readable): Promise<string> =>
    new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        if (size >= maxBytes) return;
        chunks.push(chunk);
        size += chunk.length;
      });
      stream.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
      stream.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
  const [stdout, stderr, exitCode] = await Promise.all([collect(child.stdout), collect(child.stderr), child.exited]);
  return { exitCode, stdout, stderr };
}

/** Whether an exit code means the child crashed (killed by a signal such as SIGSEGV), not a reported error. */
export function crashed(exitCode: number): boolean {
  return exitCode > 128 && exitCode < 128 + 65;
}

/** The last `lines` non-empty lines of a stderr text (for error details). */
export function stderrTail(stderr: string, lines = 8): string {
  return stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .slice(-lines)
    .join('\n');
}

/**
 * @file The out-of-process runner: forks `runner-child` and forwards every engine call over IPC
 * (`serialization: 'advanced'`, so Float32Arrays transfer). onnxruntime's blocking `run` then stalls the child, not
 * the coordinating process, and a native crash fails the pending calls with a typed InferenceError instead of
 * killing the parent. Every call has a deadline; a call aborted or over its deadline kills the child (the runner is
 * then dead and later calls fail fast). The child is killed when the parent exits and exits itself when the IPC
 * channel closes, so it cannot be orphaned.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AbortedError, DeadlineExceededError, InferenceError } from '../errors/index.js';
import type {
  CallOptions,
  ForwardResult,
  ImageFeatures,
  LoadedGraphs,
  LoadRequest,
  ModelRunner,
  PrefillRequest,
  StepRequest,
} from './model-runner.js';
import { deserializeError, type RunnerMethod, type RunnerResponse } from './runner-protocol.js';

export interface ChildRunnerOptions {
  /** Deadline of one call (load, prefill, step...), milliseconds. Default 10 minutes. */
  readonly callTimeoutMs?: number;
  /** Deadline for the child to start, milliseconds. Default 60 s. */
  readonly startTimeoutMs?: number;
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly cleanup: () => void;
}

const children = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
}

function childEntry(): { path: string; execArgv: string[] } {
  const own = fileURLToPath(import.meta.url);
  if (own.endsWith('.ts')) {
    // Running from source: the child needs the TypeScript loader, resolved here so the child's cwd does not matter.
    let loader = 'tsx';
    try {
      loader = import.meta.resolve('tsx');
    } catch {
      // keep the bare specifier
    }
    return { path: own.replace(/child-runner\.ts$/, 'runner-child.ts'), execArgv: ['--import', loader] };
  }
  return { path: own.replace(/child-runner\.js$/, 'runner-child.js'), execArgv: [] };
}

/** A runner whose sessions live in a forked child; also exposes the child's pid (tests kill it). */
export interface ChildModelRunner extends ModelRunner {
  readonly pid: number | undefined;
}

/** Forks the child runner and waits until it is ready. */
export async function startChildRunner(options: ChildRunnerOptions = {}): Promise<ChildModelRunner> {
  installExitHook();
  const callTimeoutMs = options.callTimeoutMs ?? 600_000;
  const entry = childEntry();
  const child = fork(entry.path, [], {
    execArgv: entry.execArgv,
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  children.add(child);
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-2000);
  });
  // The stderr pipe must not keep the parent alive on its own (the IPC channel reference is managed below).
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let dead: InferenceError | undefined;

  const updateReference = (): void => {
    // Keep the parent alive only while calls are pending; an idle runner must not hold the event loop open.
    if (pending.size > 0) {
      child.ref();
      (child.channel as { ref?: () => void } | undefined)?.ref?.();
    } else {
      child.unref();
      (child.channel as { unref?: () => void } | undefined)?.unref?.();
    }
  };

  const failAll = (error: InferenceError): void => {
    dead ??= error;
    for (const [id, call] of pending) {
      pending.delete(id);
      call.cleanup();
      call.reject(error);
    }
  };

  child.on('exit', (code, signal) => {
    children.delete(child);
    const detail = stderrTail.trim().split('\n').slice(-1)[0];
    failAll(
      new InferenceError(`runner process exited (${signal ?? `code ${code}`})${detail ? `: ${detail}` : ''}`, {
        retryable: true,
      }),
    );
  });
  child.on('error', (error) =>
    failAll(new InferenceError(`runner process failed: ${error.message}`, { retryable: true, cause: error })),
  );
  child.on('message', (message: RunnerResponse | { ready: true }) => {
    if ('ready' in message) return;
    const call = pending.get(message.id);
    if (call === undefined) return;
    pending.delete(message.id);
    call.cleanup();
    updateReference();
    if (message.ok) call.resolve(message.result);
    else call.reject(deserializeError(message.error));
  });

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new DeadlineExceededError('start inference runner', options.startTimeoutMs ?? 60_000));
    }, options.startTimeoutMs ?? 60_000);
    const onMessage = (message: unknown): void => {
      if (typeof message === 'object' && message !== null && 'ready' in message) done(undefined);
    };
    const onExit = (): void =>
      done(
        new InferenceError(`runner process exited while starting: ${stderrTail.trim().split('\n').slice(-1)[0] ?? ''}`),
      );
    const done = (error: Error | undefined): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
  updateReference();

  function call<T>(method: RunnerMethod, params: readonly unknown[], callOptions: CallOptions = {}): Promise<T> {
    if (dead !== undefined) return Promise.reject(dead);
    const signal = callOptions.signal;
    if (signal?.aborted) return Promise.reject(new AbortedError(method));
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        // onnxruntime cannot interrupt a running graph: the only way to stop the work is to end the child.
        pending.delete(id);
        cleanup();
        child.kill('SIGKILL');
        reject(new AbortedError(method));
      };
      const timer = setTimeout(() => {
        pending.delete(id);
        cleanup();
        child.kill('SIGKILL');
        reject(new DeadlineExceededError(`inference ${method}`, callTimeoutMs));
      }, callTimeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject, cleanup });
      updateReference();
      child.send({ id, method, params }, (error) => {
        if (error && pending.has(id)) {
          pending.delete(id);
          cleanup();
          reject(
            new InferenceError(`cannot reach the runner process: ${error.message}`, { retryable: true, cause: error }),
          );
        }
      });
    });
  }

  return {
    kind: 'child',
    get pid() {
      return child.pid;
    },
    load: (request: LoadRequest, callOptions?: CallOptions) => call<LoadedGraphs>('load', [request], callOptions),
    encodeImages: (pixels: Float32Array, count: number, callOptions?: CallOptions) =>
      call<ImageFeatures>('encodeImages', [pixels, count], callOptions),
    embed: (ids: Int32Array, callOptions?: CallOptions) => call<Float32Array>('embed', [ids], callOptions),
    prefill: (request: PrefillRequest, callOptions?: CallOptions) =>
      call<ForwardResult>('prefill', [request], callOptions),
    step: (request: StepRequest, callOptions?: CallOptions) => call<ForwardResult>('step', [request], callOptions),
    release: (context: string, callOptions?: CallOptions) => call<void>('release', [context], callOptions),
    async dispose() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (child.connected) child.disconnect();
      else child.kill('SIGKILL');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

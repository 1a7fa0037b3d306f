/**
 * @file Entry point of the child runner process (started with `child_process.fork`). It hosts a model engine, serves
 * the parent's requests one at a time over IPC and exits when the parent disconnects, so it can never outlive it.
 * Terminal signals are ignored: the parent decides when it ends. It never writes to stdout.
 */
import { createModelEngine } from './model-engine.js';
import type { ModelRunner } from './model-runner.js';
import { serializeError, type RunnerRequest, type RunnerResponse } from './runner-protocol.js';

const engine = createModelEngine();
let queue: Promise<void> = Promise.resolve();

function send(message: RunnerResponse): void {
  process.send?.(message);
}

async function handle(request: RunnerRequest): Promise<void> {
  try {
    const method = engine[request.method] as (...parameters: unknown[]) => Promise<unknown>;
    const result = await method.apply(engine satisfies ModelRunner, [...request.params]);
    send({ id: request.id, ok: true, result });
  } catch (error) {
    send({ id: request.id, ok: false, error: serializeError(error) });
  }
}

process.on('message', (message: RunnerRequest) => {
  queue = queue.then(() => handle(message));
});
// The parent owns this process's lifetime (it disconnects, or sends SIGKILL on abort and deadlines). A Ctrl-C in the
// terminal reaches the whole process group; ignoring it here lets the parent drain a job instead of losing its model.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
process.on('disconnect', () => {
  void engine.dispose().finally(() => process.exit(0));
});
process.send?.({ ready: true });

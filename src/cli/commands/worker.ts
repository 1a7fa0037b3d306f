/**
 * @file `vidtok worker --queue redis://host:port`: processes the caption jobs `vidtok caption --queue` enqueues. The
 * model is loaded once per worker (and again only if its process dies), inference runs in its child runner (so this event loop stays free and BullMQ job
 * locks keep renewing), outputs are written atomically under key-derived names. SIGINT/SIGTERM close it gracefully:
 * no new jobs are taken, the running ones get up to `--close-timeout` to finish, and whatever is still running then
 * is left to stall and be taken back by another worker — never lost. Events go to stderr: text on a terminal, JSON
 * lines otherwise.
 */
import { UsageError } from '../../errors/index.js';
import type { WorkerEvent } from '../../jobs/bullmq/worker-events.js';
import { defineCommand, type CommandContext } from '../command.js';
import { jobOptions, modelOptions } from '../options/index.js';

function eventWriter(context: CommandContext): (event: WorkerEvent) => void {
  if (!context.interactive) {
    return (event) => context.stderr.write(`${JSON.stringify({ ...event, time: new Date().toISOString() })}\n`);
  }
  return (event) => {
    switch (event.type) {
      case 'worker-ready':
        context.stderr.write(`worker ready on queue ${event.queue}\n`);
        break;
      case 'job-start':
        context.stderr.write(`job ${event.jobId.slice(0, 8)}: ${event.input} (attempt ${event.attempt})\n`);
        break;
      case 'chunk':
        context.stderr.write(
          `job ${event.jobId.slice(0, 8)}: ${event.chunk.start.toFixed(1)}-${event.chunk.end.toFixed(1)} s captioned\n`,
        );
        break;
      case 'job-end':
        context.stderr.write(
          `job ${event.jobId.slice(0, 8)}: ${event.item.status}${event.item.reason ? `: ${event.item.reason}` : ''}\n`,
        );
        break;
      case 'job-stalled':
        context.stderr.write(`job ${event.jobId.slice(0, 8)}: stalled, taken back\n`);
        break;
      case 'worker-recreated':
        context.stderr.write(`worker recreated: ${event.reason}\n`);
        break;
      case 'warning':
        context.stderr.write(`warning: ${event.message}\n`);
        break;
    }
  };
}

export const workerCommand = defineCommand({
  command: 'worker',
  describe: 'Process queued caption jobs (BullMQ on Redis) until SIGINT/SIGTERM',
  positionals: {},
  options: {
    queue: {
      ...jobOptions.queue,
      demandOption: true,
      describe: 'redis://host:port of the queue (maxmemory-policy must be noeviction)',
    },
    'queue-name': jobOptions['queue-name'],
    model: { ...modelOptions.model, describe: 'Model alias or directory; jobs must name the same model' },
    dtype: modelOptions.dtype,
    device: modelOptions.device,
    'quantized-compute': modelOptions['quantized-compute'],
    concurrency: { ...jobOptions.concurrency, describe: 'Jobs run at the same time (they share the model)' },
    threads: modelOptions.threads,
    'close-timeout': { type: 'number', default: 30, describe: 'Seconds running jobs get to finish on SIGINT/SIGTERM' },
  },
  examples: [
    ['$0 worker --queue redis://localhost:6379', 'Serve the default model'],
    ['$0 worker --queue redis://redis:6379 -m ./my-model --concurrency 2', 'Another model, two jobs at a time'],
  ],
  run: async (args, context) => {
    if (!Number.isFinite(args['close-timeout']) || args['close-timeout'] < 0) {
      throw new UsageError(`--close-timeout ${args['close-timeout']}: must be a number of seconds >= 0`);
    }
    if (args.threads !== undefined && (!Number.isInteger(args.threads) || args.threads < 1)) {
      throw new UsageError(`--threads ${args.threads}: must be a positive integer`);
    }
    // Loaded on use, so other commands never load the model runtime or BullMQ.
    const [
      { createReloadingCaptionProcessor, modelIdentity, openVideoModel },
      { startWorker },
      { resolveModelDirectory },
    ] = await Promise.all([
      import('../../uses/index.js'),
      import('../../jobs/bullmq/worker.js'),
      import('../../hub/index.js'),
    ]);
    const identity = await modelIdentity(
      args.model,
      await resolveModelDirectory(args.model),
      args.dtype,
      args['quantized-compute'],
    );
    const writeEvent = eventWriter(context);
    // A reload after a crash would repeat the same device fallback line; each is shown once.
    const shownNotices = new Set<string>();
    const models = createReloadingCaptionProcessor(
      () =>
        openVideoModel(args.model, {
          ...(args.dtype !== undefined ? { dtype: args.dtype } : {}),
          ...(args.threads !== undefined ? { threads: args.threads } : {}),
          ...(args.device !== undefined ? { device: args.device } : {}),
          ...(args['quantized-compute'] !== undefined ? { quantizedCompute: args['quantized-compute'] } : {}),
          onNotice: (message: string) => {
            if (shownNotices.has(message)) return;
            shownNotices.add(message);
            writeEvent({ type: 'warning', message });
          },
          signal: context.signal,
        }),
      identity,
      { shutdownSignal: context.signal },
    );
    try {
      await models.ready(); // a missing or broken model fails here (exit 8), before any job is taken
      const handle = await startWorker({
        queueUrl: args.queue,
        processor: models.processor,
        concurrency: args.concurrency,
        ...(args['queue-name'] !== undefined ? { queueName: args['queue-name'] } : {}),
        signal: context.signal,
        onEvent: writeEvent,
        closeTimeoutMs: args['close-timeout'] * 1000,
      });
      await handle.closed;
      const closed = { type: 'worker-closed', finished: handle.finished, modelLoads: models.loads };
      context.stderr.write(
        context.interactive ? `worker closed after ${handle.finished} jobs\n` : `${JSON.stringify(closed)}\n`,
      );
    } finally {
      await models.dispose();
    }
    return 0;
  },
});

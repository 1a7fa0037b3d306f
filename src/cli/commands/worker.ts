/**
 * @file `vidtok worker --queue redis://host:port`: processes the caption jobs `vidtok caption --queue` enqueues. The
 * model is loaded once per worker (and again only if its process dies), inference runs in its child runner (so this event loop stays free and BullMQ job
 * locks keep renewing), outputs are written atomically under key-derived names. SIGINT/SIGTERM close it gracefully:
 * no new jobs are taken, the running ones get up to `--close-timeout` to finish, and whatever is still running then
 * is left to stall and be taken back by another worker — never lost. Events go to stderr: text on a terminal, JSON
 * lines otherwise.
 */
import type { Argv } from 'yargs';
import { UsageError } from '../../errors/index.js';
import type { WorkerEvent } from '../../jobs/bullmq/worker-events.js';
import { defaultVideoModel } from '../../uses/use-defaults.js';
import { defineCommand, type CommandContext } from '../command.js';

interface WorkerArguments {
  readonly queue: string;
  readonly 'queue-name'?: string;
  readonly model: string;
  readonly dtype?: string;
  readonly concurrency: number;
  readonly threads?: number;
  readonly 'close-timeout': number;
}

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

export const workerCommand = defineCommand<WorkerArguments>({
  command: 'worker',
  describe: 'Process queued caption jobs (BullMQ on Redis) until SIGINT/SIGTERM',
  builder: (yargs: Argv) =>
    yargs
      .option('queue', {
        type: 'string',
        demandOption: true,
        describe: 'redis://host:port of the queue (maxmemory-policy must be noeviction)',
      })
      .option('queue-name', { type: 'string', describe: 'BullMQ queue name (default vidtok-caption)' })
      .option('model', {
        alias: 'm',
        type: 'string',
        default: defaultVideoModel,
        describe: 'Model alias or directory; jobs must name the same model',
      })
      .option('dtype', {
        type: 'string',
        describe: 'dtype for every graph or graph=dtype pairs (default: what the model directory holds)',
      })
      .option('concurrency', {
        alias: 'c',
        type: 'number',
        default: 1,
        describe: 'Jobs run at the same time (they share the model)',
      })
      .option('threads', { type: 'number', describe: 'onnxruntime intra-op threads of the model runner' })
      .option('close-timeout', {
        type: 'number',
        default: 30,
        describe: 'Seconds running jobs get to finish on SIGINT/SIGTERM',
      })
      .example('$0 worker --queue redis://localhost:6379', 'Serve the default model')
      .example(
        '$0 worker --queue redis://redis:6379 -m ./my-model --concurrency 2',
        'Another model, two jobs at a time',
      ) as unknown as Argv<WorkerArguments>,
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
    const identity = await modelIdentity(args.model, await resolveModelDirectory(args.model), args.dtype);
    const models = createReloadingCaptionProcessor(
      () =>
        openVideoModel(args.model, {
          ...(args.dtype !== undefined ? { dtype: args.dtype } : {}),
          ...(args.threads !== undefined ? { threads: args.threads } : {}),
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
        onEvent: eventWriter(context),
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

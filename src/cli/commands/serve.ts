/**
 * @file `vidtok serve --model <alias|dir>`: an OpenAI-compatible HTTP server for questions about videos
 * (docs/serve.md). Loads the model once, listens on 127.0.0.1:8080 by default, logs one line per event on stderr,
 * and stops on Ctrl-C (exit 130) after closing connections and releasing the model. A thin layer over src/serve.
 */
import { ExitCode, UsageError } from '../../errors/index.js';
import { defineCommand } from '../command.js';
import { modelOptions, pipelineOptions } from '../options/index.js';

export const serveCommand = defineCommand({
  command: 'serve',
  describe: 'OpenAI-compatible HTTP server: chat completions with video_url parts, the video context cached',
  positionals: {},
  options: {
    model: { ...modelOptions.model, describe: 'Model alias (from the cache) or model directory' },
    dtype: modelOptions.dtype,
    threads: modelOptions.threads,
    device: modelOptions.device,
    'quantized-compute': modelOptions['quantized-compute'],
    host: {
      type: 'string',
      default: '127.0.0.1',
      describe: 'Interface to bind (0.0.0.0 exposes the server: use --api-key-env)',
    },
    port: { type: 'number', default: 8080, describe: 'Port (0: any free port, printed on stderr)' },
    'media-dir': {
      type: 'string',
      array: true,
      describe: 'Folder local media may be read from (repeatable); without it only http(s) and data: images',
    },
    pipeline: {
      ...pipelineOptions.pipeline,
      describe: 'Default pipeline (built-in name or file); requests may pick built-in ones',
    },
    'api-key-env': {
      type: 'string',
      describe: 'Environment variable holding the key every request must send as Authorization: Bearer <key>',
    },
    'max-queue': {
      type: 'number',
      default: 16,
      describe: 'Requests that may wait behind the running one; more get 429',
    },
    'cache-size': {
      type: 'number',
      default: 4,
      describe: 'Prefilled video contexts kept for follow-up questions (0: none)',
    },
    'model-name': {
      type: 'string',
      describe: 'The model id /v1/models lists and requests name (default the alias or directory name)',
    },
  },
  examples: [
    ['$0 serve -m smolvlm2-256m --media-dir ./videos', 'serve the videos in ./videos on http://127.0.0.1:8080'],
    ['VIDTOK_KEY=secret $0 serve --host 0.0.0.0 --api-key-env VIDTOK_KEY', 'on every interface, with a key'],
  ],
  run: async (args, context) => {
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535)
      throw new UsageError(`--port ${args.port}: must be an integer in [0, 65535]`);
    if (!Number.isInteger(args['max-queue']) || args['max-queue'] < 0)
      throw new UsageError(`--max-queue ${args['max-queue']}: must be an integer >= 0`);
    if (!Number.isInteger(args['cache-size']) || args['cache-size'] < 0)
      throw new UsageError(`--cache-size ${args['cache-size']}: must be an integer >= 0`);
    let apiKey: string | undefined;
    if (args['api-key-env'] !== undefined) {
      apiKey = process.env[args['api-key-env']];
      if (apiKey === undefined || apiKey.length === 0)
        throw new UsageError(`--api-key-env ${args['api-key-env']}: the environment variable is not set or empty`);
    }
    const { access, stat } = await import('node:fs/promises');
    for (const directory of args['media-dir'] ?? []) {
      const isDirectory = await stat(directory).then(
        (info) => info.isDirectory(),
        () => false,
      );
      if (
        !isDirectory ||
        !(await access(directory).then(
          () => true,
          () => false,
        ))
      )
        throw new UsageError(`--media-dir ${directory}: not a readable directory`);
    }
    const { startServer } = await import('../../serve/index.js');
    const log = (line: string): void => void context.stderr.write(`vidtok serve: ${line}\n`);
    const server = await startServer({
      model: args.model,
      ...(args.dtype !== undefined ? { dtype: args.dtype } : {}),
      ...(args.threads !== undefined ? { threads: args.threads } : {}),
      ...(args.device !== undefined ? { device: args.device } : {}),
      ...(args['quantized-compute'] !== undefined ? { quantizedCompute: args['quantized-compute'] } : {}),
      onNotice: log,
      host: args.host,
      port: args.port,
      mediaDirectories: args['media-dir'] ?? [],
      ...(args.pipeline !== undefined ? { pipeline: args.pipeline } : {}),
      ...(apiKey !== undefined ? { apiKey } : {}),
      maxQueue: args['max-queue'],
      cacheSize: args['cache-size'],
      ...(args['model-name'] !== undefined ? { modelName: args['model-name'] } : {}),
      onLog: log,
    });
    log(`listening on ${server.url} (model loading)`);
    if (!['127.0.0.1', 'localhost', '::1'].includes(args.host) && apiKey === undefined) {
      log(`warning: bound to ${args.host} without --api-key-env: anyone who can reach this address can use the model`);
    }
    const stopped = new Promise<void>((resolve) => {
      if (context.signal.aborted) resolve();
      context.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    // A model that cannot load ends the command with its error (exit 8); otherwise serve until interrupted.
    const failed = server.ready.then(() => new Promise<never>(() => undefined));
    try {
      await Promise.race([stopped, failed]);
    } finally {
      await server.close();
    }
    log('stopped');
    return ExitCode.interrupted;
  },
});

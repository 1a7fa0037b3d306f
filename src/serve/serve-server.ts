/**
 * @file `startServer(options)`: the OpenAI-compatible HTTP server (node:http). Routes: `POST /v1/chat/completions`
 * (plain or SSE), `GET /v1/models`, `GET /health`, `GET /metrics`. The socket is listening before the model has
 * loaded (completions get 503 until then); requests are queued in a bounded p-queue served one at a time by the one
 * model (a full queue is a 429 with Retry-After); media is resolved before queueing (403 outside `--media-dir`); a
 * client that disconnects is dropped from the queue, or its generation is stopped. With `apiKey` every route needs
 * `Authorization: Bearer <key>`. Nothing is written to stdout: `onLog` gets one line per event worth logging.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PQueue from 'p-queue';
import { VidtokError } from '../errors/index.js';
import { bearerAuthenticator } from './bearer-auth.js';
import { parseChatRequest, type ChatRequest } from './chat-request.js';
import {
  chunkObject,
  completionId,
  completionObject,
  finishReason,
  usageChunk,
  usageOf,
  vidtokDetails,
  type ResponseIdentity,
} from './completion-response.js';
import { MediaResolver, type ResolvedMedia } from './media-resolver.js';
import { HttpError, httpErrorFrom } from './openai-error.js';
import { readJsonBody } from './read-json-body.js';
import { ServerMetrics } from './server-metrics.js';
import { SseWriter } from './sse-writer.js';
import { ClientGoneError, VideoAnswerer, type VideoAnswererOptions } from './video-answerer.js';

export interface ServeOptions extends VideoAnswererOptions {
  /** Interface to bind (default 127.0.0.1). */
  readonly host?: string;
  /** Port (default 8080; 0 = any free port). */
  readonly port?: number;
  /** Folders local media may come from. */
  readonly mediaDirectories?: readonly string[];
  /** Required bearer key; absent = no authentication. */
  readonly apiKey?: string;
  /** Requests that may wait behind the running one (default 16); more are answered 429. */
  readonly maxQueue?: number;
  /** Largest max_tokens a request may ask for (default 4096). */
  readonly maxTokensLimit?: number;
  /** Largest request body, bytes (default 32 MiB: room for a data: image). */
  readonly bodyLimitBytes?: number;
  /** Where data: images and downloads are stored (default a fresh folder under the OS temp directory, removed on close). */
  readonly scratchDirectory?: string;
  /** One line per event worth logging (model loaded, internal errors). */
  readonly onLog?: (line: string) => void;
}

export interface VidtokServer {
  /** `http://host:port`. */
  readonly url: string;
  readonly port: number;
  readonly metrics: ServerMetrics;
  /** Settles when the model has loaded (rejects when loading failed). */
  readonly ready: Promise<void>;
  /** Stops accepting, ends open connections, disposes the contexts and the model. */
  close(): Promise<void>;
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (response.headersSent || response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

/** Starts the server; resolves once it listens (the model keeps loading in the background: see `ready`). */
export async function startServer(options: ServeOptions): Promise<VidtokServer> {
  const metrics = new ServerMetrics();
  const answerer = new VideoAnswerer(options, metrics);
  // Downloads and data: images; a default folder is removed on close.
  const scratchDirectory =
    options.scratchDirectory ?? join(tmpdir(), `vidtok-serve-${process.pid}-${randomBytes(4).toString('hex')}`);
  const media = new MediaResolver({ mediaDirectories: options.mediaDirectories ?? [], scratchDirectory });
  const authenticate = options.apiKey !== undefined ? bearerAuthenticator(options.apiKey) : undefined;
  const maxQueue = options.maxQueue ?? 16;
  if (!Number.isInteger(maxQueue) || maxQueue < 0)
    throw new RangeError(`maxQueue ${maxQueue}: must be an integer >= 0`);
  const queue = new PQueue({ concurrency: 1 });
  const updateQueueMetrics = (): void => {
    metrics.queueDepth.set(queue.size);
    metrics.running.set(queue.pending);
  };
  queue.on('add', updateQueueMetrics);
  queue.on('next', updateQueueMetrics);
  queue.on('active', updateQueueMetrics);
  let recentMilliseconds = 1000;
  const log = options.onLog ?? (() => undefined);
  const loading = new AbortController();
  let loadError: unknown;
  const ready = answerer.load(loading.signal).then(
    () => log(`model ${answerer.modelId} loaded`),
    (error: unknown) => {
      loadError = error;
      log(`model ${options.model} failed to load: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    },
  );
  ready.catch(() => undefined);

  const unavailable = (): HttpError =>
    loadError !== undefined
      ? new HttpError(
          503,
          'server_error',
          `the model failed to load: ${loadError instanceof Error ? loadError.message : String(loadError)}`,
          'model_unavailable',
        )
      : new HttpError(503, 'server_error', 'the model is loading; retry shortly', 'model_loading', null, {
          'Retry-After': '5',
        });

  async function completions(request: IncomingMessage, response: ServerResponse): Promise<number> {
    let gone = false;
    response.on('close', () => {
      if (!response.writableFinished) gone = true;
    });
    const body = await readJsonBody(request, options.bodyLimitBytes ?? 32 * 1024 * 1024);
    if (!answerer.ready) throw unavailable();
    const chat: ChatRequest = parseChatRequest(body, options.maxTokensLimit ?? 4096);
    answerer.check(chat);
    const resolved: ResolvedMedia = await media.resolve(chat.media.url, chat.media.kind);
    if (queue.size >= maxQueue && queue.pending > 0) {
      metrics.queueRejected.inc();
      const wait = Math.max(1, Math.ceil(((queue.size + 1) * recentMilliseconds) / 1000));
      throw new HttpError(
        429,
        'rate_limit_error',
        `the queue is full (${queue.size} waiting, --max-queue ${maxQueue}); retry later`,
        'queue_full',
        null,
        { 'Retry-After': String(wait) },
      );
    }
    const identity: ResponseIdentity = {
      id: completionId(),
      created: Math.floor(Date.now() / 1000),
      model: answerer.modelId,
    };
    const sse = chat.stream ? new SseWriter(response) : undefined;
    return (await queue.add(async () => {
      if (gone) return 499;
      const startedAt = performance.now();
      try {
        const answered = await answerer.answer(chat, resolved, {
          isCancelled: () => gone,
          ...(sse
            ? {
                onContext: () => void sse.send(chunkObject(identity, { role: 'assistant', content: '' }, null)),
                onText: (text: string) => void sse.send(chunkObject(identity, { content: text }, null)),
              }
            : {}),
        });
        const usage = usageOf(answered.answer, answered.cacheHit);
        const details = vidtokDetails(
          answered.context.summary,
          answered.answer,
          answered.cacheHit,
          answered.timeToFirstTokenMilliseconds,
        );
        if (sse) {
          await sse.send(chunkObject(identity, {}, finishReason(answered.answer.stopReason), { vidtok: details }));
          if (chat.includeUsageInStream) await sse.send(usageChunk(identity, usage));
          await sse.finish();
        } else {
          sendJson(response, 200, completionObject(identity, answered.answer.answer, answered.answer, usage, details));
        }
        return 200;
      } catch (error) {
        if (error instanceof ClientGoneError || gone) return 499;
        if (sse?.headersSent) {
          const failure = httpErrorFrom(error);
          if (failure.status >= 500)
            log(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          await sse.send(failure.body());
          await sse.finish();
          return failure.status;
        }
        throw error;
      } finally {
        recentMilliseconds = 0.7 * recentMilliseconds + 0.3 * (performance.now() - startedAt);
      }
    })) as number;
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<{ route: string; status: number }> {
    const path = (request.url ?? '/').split('?')[0]!;
    const method = request.method ?? 'GET';
    const known: Record<string, string> = {
      '/v1/chat/completions': 'POST',
      '/v1/models': 'GET',
      '/health': 'GET',
      '/metrics': 'GET',
    };
    const routeName = known[path] !== undefined ? path : 'other';
    if (known[path] === undefined && !path.startsWith('/v1/models/'))
      throw new HttpError(404, 'not_found_error', `no route ${method} ${path}`, 'unknown_route');
    authenticate?.(request);
    if (path === '/v1/chat/completions') {
      if (method !== 'POST')
        throw new HttpError(405, 'invalid_request_error', `${path} takes POST`, 'method_not_allowed', null, {
          Allow: 'POST',
        });
      return { route: routeName, status: await completions(request, response) };
    }
    if (method !== 'GET')
      throw new HttpError(405, 'invalid_request_error', `${path} takes GET`, 'method_not_allowed', null, {
        Allow: 'GET',
      });
    const modelObject = { id: answerer.modelId, object: 'model', created: 0, owned_by: 'vidtok' };
    if (path === '/v1/models') {
      sendJson(response, 200, { object: 'list', data: [modelObject] });
      return { route: routeName, status: 200 };
    }
    if (path.startsWith('/v1/models/')) {
      const name = decodeURIComponent(path.slice('/v1/models/'.length));
      if (name !== answerer.modelId)
        throw new HttpError(404, 'not_found_error', `The model '${name}' does not exist`, 'model_not_found');
      sendJson(response, 200, modelObject);
      return { route: '/v1/models/{model}', status: 200 };
    }
    if (path === '/health') {
      const status = answerer.ready ? 200 : 503;
      sendJson(response, status, {
        status: answerer.ready ? 'ok' : loadError !== undefined ? 'failed' : 'loading',
        model: answerer.modelId,
        queue: { waiting: queue.size, running: queue.pending },
      });
      return { route: routeName, status };
    }
    updateQueueMetrics();
    const text = await metrics.text();
    response.writeHead(200, { 'Content-Type': metrics.contentType });
    response.end(text);
    return { route: routeName, status: 200 };
  }

  const server: Server = createServer((request, response) => {
    route(request, response).then(
      ({ route: name, status }) => metrics.requests.inc({ route: name, status: String(status) }),
      (error: unknown) => {
        const failure = httpErrorFrom(error);
        if (failure.status >= 500 && !(error instanceof HttpError)) {
          log(
            `internal error: ${VidtokError.isInstance(error) ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
          );
        }
        const path = (request.url ?? '/').split('?')[0]!;
        metrics.requests.inc({
          route: ['/v1/chat/completions', '/v1/models', '/health', '/metrics'].includes(path) ? path : 'other',
          status: String(failure.status),
        });
        sendJson(response, failure.status, failure.body(), failure.headers);
      },
    );
  });
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    metrics,
    ready,
    close: () => {
      closed ??= (async () => {
        loading.abort();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        queue.clear();
        await queue.onIdle();
        await ready.catch(() => undefined);
        await answerer.dispose();
        if (options.scratchDirectory === undefined) await rm(scratchDirectory, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}

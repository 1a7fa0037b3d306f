/**
 * @file Serves narration events as Server-Sent Events (`GET /events`, one `event: <type>` message per event, recent
 * history replayed to new clients) and a self-contained live page (`GET /`). Binds to 127.0.0.1 unless told
 * otherwise. Memory is bounded: the history is a ring of `historySize` events and a client that cannot keep up
 * (more than 1 MiB unsent) is disconnected.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../errors/index.js';
import { narrationPage } from './event-page.js';
import type { NarrationEvent } from './narration-events.js';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export interface EventServerOptions extends ListenAddress {
  /** Events replayed to a client that connects late (default 1000). */
  readonly historySize?: number;
  /** Page title (default 'vidtok narrate'). */
  readonly title?: string;
}

const maxUnsentBytes = 1024 * 1024;
const heartbeatMilliseconds = 15_000;

/** Parses `[host:]port` (`8080`, `0.0.0.0:8080`, `[::1]:8080`); host defaults to 127.0.0.1. */
export function parseListenAddress(text: string): ListenAddress {
  const trimmed = text.trim();
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(trimmed);
  const port = Number(match?.[2]);
  if (!match || !Number.isInteger(port) || port > 65_535)
    throw new UsageError(`--serve must be [host:]port with a port in 0..65535, got '${text}'`);
  const host = match[1] === undefined ? '127.0.0.1' : match[1].replace(/^\[|\]$/g, '');
  return { host, port };
}

function frame(id: number, event: NarrationEvent | { type: 'stream-end' }): string {
  return `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

export class NarrationEventServer {
  private readonly clients = new Set<ServerResponse>();
  private readonly history: string[] = [];
  private nextId = 1;
  private ended = false;
  private readonly heartbeat: NodeJS.Timeout;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly historySize: number,
  ) {
    this.heartbeat = setInterval(() => {
      for (const client of this.clients) client.write(': keep-alive\n\n');
    }, heartbeatMilliseconds);
    this.heartbeat.unref();
  }

  /** Starts listening; resolves once the port is bound (`url` has the real port when 0 was asked). */
  static async start(options: EventServerOptions): Promise<NarrationEventServer> {
    const page = narrationPage(options.title ?? 'vidtok narrate');
    let instance: NarrationEventServer | undefined;
    const server = createServer((request, response) => {
      if (instance) instance.handle(request, response, page);
      else response.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        reject(
          new UsageError(`--serve ${options.host}:${options.port}: cannot listen (${error.code ?? error.message})`),
        );
      };
      server.once('error', onError);
      server.listen(options.port, options.host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    instance = new NarrationEventServer(server, `http://${host}:${address.port}/`, options.historySize ?? 1000);
    return instance;
  }

  /** Clients connected to `/events` now. */
  get clientCount(): number {
    return this.clients.size;
  }

  private handle(request: IncomingMessage, response: ServerResponse, page: string): void {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/' || path === '/index.html') {
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy':
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:",
      });
      response.end(request.method === 'HEAD' ? undefined : page);
      return;
    }
    if (path === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    if (path === '/events') {
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      response.write(`retry: 2000\n\n${this.history.join('')}`);
      if (this.ended) {
        response.end();
        return;
      }
      this.clients.add(response);
      response.on('close', () => this.clients.delete(response));
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
  }

  /** Sends an event to every client and keeps it in the replay history. */
  publish(event: NarrationEvent): void {
    if (this.ended) return;
    const text = frame(this.nextId++, event);
    this.history.push(text);
    if (this.history.length > this.historySize) this.history.splice(0, this.history.length - this.historySize);
    for (const client of this.clients) {
      if (client.writableLength > maxUnsentBytes) {
        client.destroy();
        this.clients.delete(client);
        continue;
      }
      client.write(text);
    }
  }

  /** Tells clients the stream ended (a `stream-end` event) and stops accepting new events. */
  end(): void {
    if (this.ended) return;
    const text = frame(this.nextId++, { type: 'stream-end' });
    this.history.push(text);
    this.ended = true;
    for (const client of this.clients) client.end(text);
    this.clients.clear();
  }

  /** Ends the clients and closes the server. */
  async close(): Promise<void> {
    this.end();
    clearInterval(this.heartbeat);
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

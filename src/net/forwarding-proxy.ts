/**
 * @file The local forwarding proxy every ffmpeg child that speaks HTTP goes through (set as its `http_proxy`), so
 * the network policy is checked in one place for every request ffmpeg makes by itself: the playlist, each variant
 * playlist, each segment and key, and every redirect hop (ffmpeg follows redirects with a new request). Plain HTTP
 * arrives as absolute-URI requests; HTTPS as CONNECT tunnels (ffmpeg's `httpproxy` protocol), checked by host and
 * port. Each request's host is resolved once, every address is checked, and the connection goes to the checked
 * address (pinned). The proxy listens on 127.0.0.1 only and serves only children that present their own random
 * credentials, so it is no open proxy for other local programs. A refused request is answered 403 and reported
 * to the child's owner, which stops the child with NetworkRefusedError.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { connect, type Socket } from 'node:net';
import { VidtokError } from '../errors/index.js';
import { resolveAllowedAddress } from './resolve-host.js';

/** One request seen by the proxy (for diagnostics and tests). */
export interface ProxiedRequest {
  /** The input whose child made the request. */
  readonly input: string;
  readonly method: string;
  /** `http://host:port/path` for plain requests, `host:port` for CONNECT tunnels. */
  readonly target: string;
  /** The checked address the request went to; undefined when refused. */
  readonly address?: string;
  /** Why it was refused. */
  readonly refusal?: string;
}

/** Emits 'request' with a ProxiedRequest for every request the proxy handles. */
export const proxyEvents = new EventEmitter();

export interface ProxyRegistration {
  /** The value for the child's `http_proxy`: `http://<user>:<secret>@127.0.0.1:<port>`. */
  readonly url: string;
  /** Forgets the credentials (call when the child exited). */
  release(): void;
}

interface Client {
  readonly input: string;
  readonly onRefused: (reason: string) => void;
}

const hopByHopHeaders = new Set([
  'proxy-authorization',
  'proxy-connection',
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export class ForwardingProxy {
  readonly #clients = new Map<string, Client>();
  readonly #sockets = new Set<Socket>();

  constructor(
    readonly server: Server,
    readonly port: number,
  ) {
    server.on('request', (request: IncomingMessage, response: ServerResponse) => void this.#forward(request, response));
    server.on(
      'connect',
      (request: IncomingMessage, socket: Socket, head: Buffer) => void this.#tunnel(request, socket, head),
    );
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    server.on('clientError', (_error, socket) => socket.destroy());
  }

  /** New credentials for one child; refusals of its requests call `onRefused`. */
  register(input: string, onRefused: (reason: string) => void): ProxyRegistration {
    const user = randomBytes(8).toString('hex');
    const secret = randomBytes(16).toString('hex');
    const key = `${user}:${secret}`;
    this.#clients.set(key, { input, onRefused });
    return { url: `http://${key}@127.0.0.1:${this.port}`, release: () => this.#clients.delete(key) };
  }

  /** The registered child a request belongs to (Basic credentials in Proxy-Authorization), or undefined. */
  #client(request: IncomingMessage): Client | undefined {
    const header = request.headers['proxy-authorization'];
    const match = typeof header === 'string' ? /^Basic\s+(\S+)$/i.exec(header) : null;
    if (!match) return undefined;
    return this.#clients.get(Buffer.from(match[1]!, 'base64').toString('utf8'));
  }

  async #check(client: Client, method: string, target: string, hostname: string): Promise<string | undefined> {
    try {
      const { address } = await resolveAllowedAddress(client.input, hostname);
      proxyEvents.emit('request', { input: client.input, method, target, address } satisfies ProxiedRequest);
      return address;
    } catch (error) {
      const reason = VidtokError.isInstance(error) ? error.message.slice(client.input.length + 2) : String(error);
      const described = `${reason} (requested by ffmpeg: ${target})`;
      proxyEvents.emit('request', { input: client.input, method, target, refusal: described } satisfies ProxiedRequest);
      client.onRefused(described);
      return undefined;
    }
  }

  async #forward(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const client = this.#client(request);
    if (!client) {
      response.writeHead(407, { 'proxy-authenticate': 'Basic realm="vidtok"', connection: 'close' }).end();
      return;
    }
    let target: URL;
    try {
      target = new URL(request.url ?? '');
    } catch {
      response.writeHead(400, { connection: 'close' }).end();
      return;
    }
    if (target.protocol !== 'http:') {
      response.writeHead(403, 'Forbidden by vidtok network policy', { connection: 'close' }).end();
      client.onRefused(`scheme ${target.protocol} is not proxied (requested by ffmpeg: ${target.href})`);
      return;
    }
    const address = await this.#check(client, request.method ?? 'GET', target.href, target.hostname);
    if (address === undefined) {
      response.writeHead(403, 'Forbidden by vidtok network policy', { connection: 'close' }).end();
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined && !hopByHopHeaders.has(name.toLowerCase())) headers[name] = value;
    }
    headers.host = target.host;
    headers.connection = 'close';
    const upstream = httpRequest({
      host: address,
      port: target.port === '' ? 80 : Number(target.port),
      method: request.method,
      path: `${target.pathname}${target.search}`,
      headers,
      setHost: false,
    });
    upstream.on('response', (answer) => {
      const answerHeaders: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value !== undefined && !hopByHopHeaders.has(name.toLowerCase())) answerHeaders[name] = value;
      }
      answerHeaders.connection = 'close';
      response.writeHead(answer.statusCode ?? 502, answer.statusMessage, answerHeaders);
      answer.pipe(response);
      // A server that drops the connection mid-body must look the same to ffmpeg through the proxy: a reset, not
      // a clean end of a shorter file.
      answer.on('close', () => {
        if (!answer.complete) response.destroy();
      });
    });
    upstream.on('error', () => {
      if (response.headersSent) response.destroy();
      else response.writeHead(502, { connection: 'close' }).end();
    });
    response.on('close', () => upstream.destroy());
    request.pipe(upstream);
  }

  async #tunnel(request: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const client = this.#client(request);
    if (!client) {
      socket.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="vidtok"\r\nConnection: close\r\n\r\n',
      );
      return;
    }
    const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(request.url ?? '');
    if (!match) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    const hostname = match[1]!.replace(/^\[|\]$/g, '');
    const port = Number(match[2]);
    const address = await this.#check(client, 'CONNECT', request.url ?? '', hostname);
    if (address === undefined) {
      socket.end('HTTP/1.1 403 Forbidden by vidtok network policy\r\nConnection: close\r\n\r\n');
      return;
    }
    const upstream = connect({ host: address, port });
    upstream.on('connect', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => {
      if (!socket.destroyed) socket.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n');
    });
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
  }
}

let running: ForwardingProxy | undefined;
let starting: Promise<ForwardingProxy> | undefined;

/** Starts the process's proxy once (127.0.0.1, a free port; it does not keep the process alive). */
export function startForwardingProxy(): Promise<ForwardingProxy> {
  starting ??= new Promise<ForwardingProxy>((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', (error) => {
      starting = undefined;
      reject(error);
    });
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.unref();
      running = new ForwardingProxy(server, port);
      resolvePromise(running);
    });
  });
  return starting;
}

/** The running proxy, if `startForwardingProxy` has been called and has finished. */
export function runningForwardingProxy(): ForwardingProxy | undefined {
  return running;
}

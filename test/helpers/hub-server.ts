/**
 * @file A local stand-in for the Hugging Face hub, for tests: node:http on 127.0.0.1 (random ports) serving fixture
 * repositories in the hub's URL layout.
 *
 * - `GET /api/models/{owner}/{name}/revision/{revision}` → `{id, sha}` (the commit every revision resolves to).
 * - `GET /api/models/{owner}/{name}/tree/{revision}[/{path}]?recursive=true` → JSON entries
 *   `{type, oid, size, path, lfs?: {oid, size, pointerSize}}`, paginated with `Link: <…>; rel="next"`.
 * - `GET|HEAD /{owner}/{name}/resolve/{revision}/{path}` → small (non-LFS) files are served directly with
 *   `ETag: "<git blob id>"`; LFS files answer `302` to a second, CDN-like origin (`/repos/ab/cd/<sha256>?…`) with
 *   `X-Linked-Etag`, `X-Linked-Size` and `X-Repo-Commit`, as the real hub does. Both honour `Range: bytes=a-`.
 * - Errors carry `X-Error-Code: RepoNotFound | RevisionNotFound | EntryNotFound` and a JSON `{error}` body.
 *
 * Faults for tests: drop the connection or stall after N bytes once, ignore a Range header once, serve corrupted
 * bytes, inject raw tree entries, fail the next API (revision or tree) requests with a status or a dropped
 * connection. Every
 * request is recorded (origin, path, Range, Authorization, bytes sent).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HubFixtureFile {
  readonly path: string;
  readonly content: Uint8Array;
  /** Stored with Git LFS (served through the CDN redirect, listed with a sha256); default: `.onnx*` files. */
  readonly lfs?: boolean;
}

export interface HubFixtureRepository {
  /** `owner/name`. */
  readonly id: string;
  /** Revisions served; default `['main']`. All serve the same files. */
  readonly revisions?: readonly string[];
  readonly files: readonly HubFixtureFile[];
  /** When true, requests without `Authorization: Bearer <server token>` get 401 (as the hub answers private repos). */
  readonly private?: boolean;
  /** Raw entries appended to the tree listing as-is (for malicious listings). */
  readonly extraTreeEntries?: readonly Record<string, unknown>[];
}

export interface HubServerOptions {
  readonly repositories: readonly HubFixtureRepository[];
  /** Token that private repositories accept. */
  readonly token?: string;
  /** Entries per tree page (default 1000, like the hub); small values exercise pagination. */
  readonly pageSize?: number;
}

export interface HubRequestRecord {
  readonly origin: 'hub' | 'cdn';
  readonly method: string;
  /** Path and query as received. */
  readonly url: string;
  readonly range: string | undefined;
  readonly authorization: string | undefined;
  status: number;
  /** Body bytes written (before any dropped connection). */
  bytesSent: number;
  /** Repository file path this request served, for resolve and CDN requests. */
  filePath?: string;
  /** Repository of that file. */
  repositoryId?: string;
}

export interface HubServer {
  /** Base URL to use as `HF_ENDPOINT`, e.g. `http://127.0.0.1:40123`. */
  readonly endpoint: string;
  /** Origin of the CDN-like server LFS downloads redirect to. */
  readonly cdnOrigin: string;
  readonly requests: HubRequestRecord[];
  /** The commit id every revision of `repositoryId` resolves to. */
  commitOf(repositoryId: string): string;
  /** The next download of `path` in `repositoryId` sends `afterBytes` body bytes, then the connection is destroyed. */
  dropConnectionOnce(repositoryId: string, path: string, afterBytes: number): void;
  /** The next download of `path` in `repositoryId` sends `afterBytes` body bytes, then nothing more (a stall). */
  stallOnce(repositoryId: string, path: string, afterBytes: number): void;
  /** The next ranged download of `path` in `repositoryId` ignores its Range header and sends the whole file with 200. */
  ignoreRangeOnce(repositoryId: string, path: string): void;
  /** Downloads of `path` in `repositoryId` serve bytes that differ from the listed checksum (same size). */
  corrupt(repositoryId: string, path: string): void;
  /** The next `count` API requests (revision or tree) for `repositoryId` answer `status`, or drop the connection when 'drop'. */
  failApiRequests(repositoryId: string, count: number, failure: number | 'drop'): void;
  /** Requests that downloaded bytes of `path` in `repositoryId` (resolve or CDN, status 200/206). */
  downloadsOf(repositoryId: string, path: string): HubRequestRecord[];
  close(): Promise<void>;
}

interface PreparedFile {
  readonly repositoryId: string;
  readonly path: string;
  readonly content: Uint8Array;
  readonly lfs: boolean;
  readonly sha256: string;
  readonly gitObjectId: string;
  readonly pointerSize: number;
}

/** Git's blob id: sha1 of `blob {size}\0{bytes}`. */
export function gitBlobId(content: Uint8Array): string {
  return createHash('sha1').update(`blob ${content.byteLength}\0`).update(content).digest('hex');
}

/** sha256 of the bytes, hex. */
export function sha256Of(content: Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Deterministic pseudo-random bytes (xorshift32) so fixtures are reproducible without storing them. */
export function generatedBytes(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let state = (seed * 2654435761) >>> 0 || 1;
  for (let index = 0; index < size; index += 1) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    bytes[index] = state & 0xff;
  }
  return bytes;
}

/**
 * A small repository shaped like the SmolVLM2 ONNX exports: root config/tokenizer files, a README and weights the
 * pull must skip, and `onnx/{graph}{suffix}.onnx` for the given dtype suffixes (sizes in bytes, content generated).
 */
export function fixtureVlmRepository(
  id: string,
  options: {
    suffixes?: readonly string[];
    graphBytes?: number;
    extraFiles?: readonly HubFixtureFile[];
    private?: boolean;
  } = {},
): HubFixtureRepository {
  const text = (value: string): Uint8Array => new TextEncoder().encode(value);
  const suffixes = options.suffixes ?? ['', '_fp16', '_q4', '_quantized'];
  const graphBytes = options.graphBytes ?? 64 * 1024;
  const files: HubFixtureFile[] = [
    { path: 'config.json', content: text(JSON.stringify({ model_type: 'smolvlm', fixture: id }, null, 2)) },
    { path: 'generation_config.json', content: text('{"eos_token_id": 49279}') },
    { path: 'preprocessor_config.json', content: text('{"do_resize": true}') },
    { path: 'tokenizer.json', content: text(JSON.stringify({ version: '1.0', model: { type: 'BPE' } })) },
    { path: 'tokenizer_config.json', content: text('{"chat_template": "{{ messages }}"}') },
    { path: 'chat_template.jinja', content: text('{% for m in messages %}{{ m.content }}{% endfor %}') },
    { path: 'README.md', content: text('# fixture\n') },
    { path: '.gitattributes', content: text('*.onnx filter=lfs diff=lfs merge=lfs -text\n') },
    { path: 'model.safetensors', content: generatedBytes(4096, 99), lfs: true },
  ];
  // Seeds differ per repository, so two fixtures never share content (the CDN is addressed by sha256).
  let seed = createHash('sha256').update(id).digest().readUInt16LE(0) * 64 + 1;
  for (const graph of ['embed_tokens', 'vision_encoder', 'decoder_model_merged']) {
    for (const suffix of suffixes) {
      files.push({ path: `onnx/${graph}${suffix}.onnx`, content: generatedBytes(graphBytes + (seed % 64) * 17, seed) });
      seed += 1;
    }
  }
  files.push(...(options.extraFiles ?? []));
  return { id, files, ...(options.private ? { private: true } : {}) };
}

/** Starts the hub and CDN listeners on 127.0.0.1; close() stops both and ends open connections. */
export async function startHubServer(options: HubServerOptions): Promise<HubServer> {
  const repositories = new Map(
    options.repositories.map((repository) => [
      repository.id,
      { repository, files: new Map(repository.files.map((file) => [file.path, prepare(repository.id, file)])) },
    ]),
  );
  const bySha256 = new Map<string, PreparedFile>();
  for (const { files } of repositories.values())
    for (const file of files.values()) if (file.lfs) bySha256.set(file.sha256, file);
  const requests: HubRequestRecord[] = [];
  const drops = new Map<string, number>();
  const corrupted = new Set<string>();
  const rangeIgnored = new Set<string>();
  const stalls = new Map<string, number>();
  const apiFailures = new Map<string, { count: number; failure: number | 'drop' }>();
  const pageSize = options.pageSize ?? 1000;
  const commitOf = (id: string): string => createHash('sha1').update(`commit:${id}`).digest('hex');

  const hub = createServer((request, response) => {
    const record = recordOf('hub', request);
    requests.push(record);
    handleHub(request, response, record);
  });
  const cdn = createServer((request, response) => {
    const record = recordOf('cdn', request);
    requests.push(record);
    const sha256 = /^\/repos\/[0-9a-f]{2}\/[0-9a-f]{2}\/([0-9a-f]{64})(\?|$)/.exec(request.url ?? '')?.[1];
    const file = sha256 ? bySha256.get(sha256) : undefined;
    if (!file) return sendError(response, record, 404, 'EntryNotFound', 'Not found');
    serveBytes(request, response, record, file, { ETag: `"${file.sha256}"` });
  });
  await Promise.all([listen(hub), listen(cdn)]);
  const endpoint = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
  const cdnOrigin = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;

  function handleHub(request: IncomingMessage, response: ServerResponse, record: HubRequestRecord): void {
    const url = new URL(request.url ?? '/', endpoint);
    const api = /^\/api\/models\/([^/]+\/[^/]+)\//.exec(url.pathname);
    const pending = api ? apiFailures.get(decodeURIComponent(api[1] ?? '')) : undefined;
    if (pending && pending.count > 0) {
      pending.count -= 1;
      if (pending.failure === 'drop') return void request.socket.destroy();
      return sendError(response, record, pending.failure, undefined, 'Internal Error');
    }
    const revisionInfo = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
    if (revisionInfo) {
      const id = decodeURIComponent(revisionInfo[1] ?? '');
      if (!lookup(request, response, record, id, decodeURIComponent(revisionInfo[2] ?? ''))) return;
      const body = Buffer.from(JSON.stringify({ id, sha: commitOf(id) }));
      response.writeHead(200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': String(body.byteLength),
      });
      record.status = 200;
      return void response.end(body);
    }
    const tree = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)(?:\/(.*))?$/.exec(url.pathname);
    if (tree)
      return serveTree(
        request,
        response,
        record,
        url,
        decodeURIComponent(tree[1] ?? ''),
        decodeURIComponent(tree[2] ?? ''),
        tree[3] ? decodeURIComponent(tree[3]) : '',
      );
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (resolve)
      return serveResolve(
        request,
        response,
        record,
        decodeURIComponent(resolve[1] ?? ''),
        decodeURIComponent(resolve[2] ?? ''),
        decodeURIComponent(resolve[3] ?? ''),
      );
    sendError(response, record, 404, undefined, 'Not Found');
  }

  function authorized(request: IncomingMessage, repository: HubFixtureRepository): boolean {
    return (
      !repository.private ||
      (options.token !== undefined && request.headers.authorization === `Bearer ${options.token}`)
    );
  }

  function lookup(
    request: IncomingMessage,
    response: ServerResponse,
    record: HubRequestRecord,
    id: string,
    revision: string,
  ) {
    const entry = repositories.get(id);
    if (!entry || !authorized(request, entry.repository)) {
      // The hub answers 401 without a token and 404 with one, and never says whether a private repo exists.
      sendError(
        response,
        record,
        request.headers.authorization ? 404 : entry ? 401 : 404,
        'RepoNotFound',
        'Repository not found',
      );
      return undefined;
    }
    const revisions = entry.repository.revisions ?? ['main'];
    if (!revisions.includes(revision) && revision !== commitOf(id)) {
      sendError(response, record, 404, 'RevisionNotFound', `Invalid rev id: ${revision}`);
      return undefined;
    }
    return entry;
  }

  function serveTree(
    request: IncomingMessage,
    response: ServerResponse,
    record: HubRequestRecord,
    url: URL,
    id: string,
    revision: string,
    folder: string,
  ): void {
    const entry = lookup(request, response, record, id, revision);
    if (!entry) return;
    const recursive = url.searchParams.get('recursive') === 'true' || url.searchParams.get('recursive') === '1';
    const prefix = folder ? `${folder.replace(/\/$/, '')}/` : '';
    const all: Record<string, unknown>[] = [];
    const directories = new Set<string>();
    for (const file of [...entry.files.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
      if (!file.path.startsWith(prefix)) continue;
      const rest = file.path.slice(prefix.length);
      const parts = rest.split('/');
      for (let depth = 1; depth < parts.length; depth += 1) {
        const directory = prefix + parts.slice(0, depth).join('/');
        if ((recursive || depth === 1) && !directories.has(directory)) {
          directories.add(directory);
          all.push({
            type: 'directory',
            oid: gitBlobId(new TextEncoder().encode(directory)),
            size: 0,
            path: directory,
          });
        }
      }
      if (!recursive && parts.length > 1) continue;
      all.push({
        type: 'file',
        oid: file.gitObjectId,
        size: file.content.byteLength,
        ...(file.lfs
          ? { lfs: { oid: file.sha256, size: file.content.byteLength, pointerSize: file.pointerSize } }
          : {}),
        path: file.path,
      });
    }
    all.push(...(entry.repository.extraTreeEntries ?? []));
    const cursor = Number(url.searchParams.get('cursor') ?? '0');
    const page = all.slice(cursor, cursor + pageSize);
    const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8' };
    if (cursor + pageSize < all.length) {
      const next = new URL(url.href);
      next.searchParams.set('cursor', String(cursor + pageSize));
      headers.Link = `<${next.href}>; rel="next"`;
    }
    const body = Buffer.from(JSON.stringify(page));
    response.writeHead(200, { ...headers, 'Content-Length': String(body.byteLength) });
    record.status = 200;
    response.end(body);
  }

  function serveResolve(
    request: IncomingMessage,
    response: ServerResponse,
    record: HubRequestRecord,
    id: string,
    revision: string,
    path: string,
  ): void {
    const entry = lookup(request, response, record, id, revision);
    if (!entry) return;
    const file = entry.files.get(path);
    if (!file) return sendError(response, record, 404, 'EntryNotFound', 'Entry not found');
    record.filePath = file.path;
    record.repositoryId = file.repositoryId;
    const common = { 'X-Repo-Commit': commitOf(id), 'Accept-Ranges': 'bytes' };
    if (file.lfs) {
      const location = `${cdnOrigin}/repos/${file.sha256.slice(0, 2)}/${file.sha256.slice(2, 4)}/${file.sha256}?response-content-disposition=attachment&Expires=4102444800&Signature=fixture`;
      response.writeHead(302, {
        ...common,
        Location: location,
        ETag: `"${file.sha256}"`,
        'X-Linked-Etag': `"${file.sha256}"`,
        'X-Linked-Size': String(file.content.byteLength),
        'Content-Length': '0',
      });
      record.status = 302;
      response.end();
      return;
    }
    serveBytes(request, response, record, file, { ...common, ETag: `"${file.gitObjectId}"` });
  }

  function serveBytes(
    request: IncomingMessage,
    response: ServerResponse,
    record: HubRequestRecord,
    file: PreparedFile,
    headers: Record<string, string>,
  ): void {
    record.filePath = file.path;
    record.repositoryId = file.repositoryId;
    const key = `${file.repositoryId}:${file.path}`;
    let content = file.content;
    if (corrupted.has(key)) {
      content = Uint8Array.from(content);
      content[content.length >> 1] = (content[content.length >> 1] ?? 0) ^ 0xff;
    }
    const total = content.byteLength;
    let start = 0;
    let end = total - 1;
    let status = 200;
    const range =
      request.headers.range && rangeIgnored.delete(key)
        ? null
        : /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
    if (range) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]), total - 1) : total - 1;
      if (start >= total || start > end) {
        response.writeHead(416, { 'Content-Range': `bytes */${total}` });
        record.status = 416;
        response.end();
        return;
      }
      status = 206;
    }
    const body = content.subarray(start, end + 1);
    response.writeHead(status, {
      ...headers,
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(body.byteLength),
      ...(status === 206 ? { 'Content-Range': `bytes ${start}-${end}/${total}` } : {}),
    });
    record.status = status;
    if (request.method === 'HEAD') return void response.end();
    const stallAfter = stalls.get(key);
    if (stallAfter !== undefined) {
      stalls.delete(key);
      const sent = body.subarray(0, Math.min(stallAfter, body.byteLength));
      record.bytesSent = sent.byteLength;
      response.write(sent); // and never end: close() destroys the connection
      return;
    }
    const dropAfter = drops.get(key);
    if (dropAfter !== undefined) {
      drops.delete(key);
      const sent = body.subarray(0, Math.min(dropAfter, body.byteLength));
      record.bytesSent = sent.byteLength;
      response.write(sent, () => setTimeout(() => response.socket?.destroy(), 20));
      return;
    }
    record.bytesSent = body.byteLength;
    response.end(body);
  }

  return {
    endpoint,
    cdnOrigin,
    requests,
    commitOf,
    dropConnectionOnce: (repositoryId, path, afterBytes) => void drops.set(`${repositoryId}:${path}`, afterBytes),
    stallOnce: (repositoryId, path, afterBytes) => void stalls.set(`${repositoryId}:${path}`, afterBytes),
    ignoreRangeOnce: (repositoryId, path) => void rangeIgnored.add(`${repositoryId}:${path}`),
    corrupt: (repositoryId, path) => void corrupted.add(`${repositoryId}:${path}`),
    failApiRequests: (repositoryId, count, failure) => void apiFailures.set(repositoryId, { count, failure }),
    downloadsOf: (repositoryId, path) =>
      requests.filter(
        (record) =>
          record.repositoryId === repositoryId &&
          record.filePath === path &&
          (record.status === 200 || record.status === 206),
      ),
    close: async () => {
      await Promise.all([stop(hub), stop(cdn)]);
    },
  };
}

function prepare(repositoryId: string, file: HubFixtureFile): PreparedFile {
  const lfs = file.lfs ?? /\.onnx(_data(_\d+)?)?$/.test(file.path);
  const sha256 = sha256Of(file.content);
  const pointer = new TextEncoder().encode(
    `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${file.content.byteLength}\n`,
  );
  return {
    repositoryId,
    path: file.path,
    content: file.content,
    lfs,
    sha256,
    gitObjectId: lfs ? gitBlobId(pointer) : gitBlobId(file.content),
    pointerSize: pointer.byteLength,
  };
}

function recordOf(origin: 'hub' | 'cdn', request: IncomingMessage): HubRequestRecord {
  return {
    origin,
    method: request.method ?? 'GET',
    url: request.url ?? '/',
    range: request.headers.range,
    authorization: request.headers.authorization,
    status: 0,
    bytesSent: 0,
  };
}

function sendError(
  response: ServerResponse,
  record: HubRequestRecord,
  status: number,
  code: string | undefined,
  message: string,
): void {
  const body = Buffer.from(JSON.stringify({ error: message }));
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(body.byteLength),
    ...(code ? { 'X-Error-Code': code, 'X-Error-Message': message } : {}),
  });
  record.status = status;
  response.end(body);
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

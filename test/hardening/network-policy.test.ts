/**
 * @file The network policy against real local servers (loopback only: 127.0.0.1 as the "allowed" host, 127.0.0.2
 * as the "private" one, both on the loopback interface). Checks that an HLS playlist's segments, its variant
 * playlists and its redirects each pass the policy on the way ffmpeg requests them (through the forwarding proxy),
 * that a refused host never receives a request, that refusals are typed one-line errors saying how to allow, and the
 * address classes themselves.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { NetworkRefusedError } from '../../src/errors/index.js';
import { extractFrames, probe } from '../../src/ingest/index.js';
import { classifyAddress } from '../../src/net/address-ranges.js';
import { proxyEvents, startForwardingProxy, type ProxiedRequest } from '../../src/net/forwarding-proxy.js';
import { configureNetworkPolicy, decideAddress } from '../../src/net/network-policy.js';
import { makeClip, runFfmpeg, survivingFfmpegChildren } from '../helpers/media.js';
import { repoRoot, scratchDir } from '../helpers/paths.js';

interface TestServer {
  readonly server: Server;
  readonly base: string;
  readonly requests: string[];
}

const tlsDirectory = new URL('./tls/', import.meta.url);

async function serve(
  directory: string,
  host: string,
  extra: (url: string) => { status: number; headers: Record<string, string> } | undefined = () => undefined,
  tls = false,
): Promise<TestServer> {
  const requests: string[] = [];
  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    requests.push(request.url ?? '');
    const special = extra(request.url ?? '');
    if (special) {
      response.writeHead(special.status, special.headers).end();
      return;
    }
    const path = join(directory, basename(request.url ?? '/'));
    if (!existsSync(path)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'content-type': path.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t',
    });
    createReadStream(path).pipe(response);
  };
  const server = tls
    ? createTlsServer(
        {
          key: readFileSync(new URL('loopback-key.pem', tlsDirectory)),
          cert: readFileSync(new URL('loopback-cert.pem', tlsDirectory)),
        },
        handler,
      )
    : createServer(handler);
  await new Promise<void>((resolvePromise) => server.listen(0, host, resolvePromise));
  return { server, base: `${tls ? 'https' : 'http'}://${host}:${(server.address() as AddressInfo).port}`, requests };
}

function expectRefused(error: unknown, input: string, host: string): true {
  assert.ok(error instanceof NetworkRefusedError, `expected NetworkRefusedError, got ${String(error)}`);
  assert.equal(error.exitCode, 4);
  assert.ok(error.message.startsWith(`${input}: `), error.message);
  assert.ok(!error.message.includes('\n'), 'one line');
  assert.match(error.message, new RegExp(`refused to contact ${host.replace(/\./g, '\\.')}`));
  assert.match(error.message, /--allow-private-network/);
  assert.match(error.message, /VIDTOK_ALLOWED_HOSTS=/);
  return true;
}

describe('network policy', () => {
  let directory: string;
  let allowed: TestServer;
  let other: TestServer;
  const seen: ProxiedRequest[] = [];
  const record = (request: ProxiedRequest): void => void seen.push(request);
  const savedEnvironment = { hosts: process.env.VIDTOK_ALLOWED_HOSTS, all: process.env.VIDTOK_ALLOW_PRIVATE_NETWORK };

  before(async () => {
    delete process.env.VIDTOK_ALLOWED_HOSTS;
    delete process.env.VIDTOK_ALLOW_PRIVATE_NETWORK;
    directory = scratchDir('network-policy');
    const clip = await makeClip(join(directory, 'clip.mp4'), { seconds: 3, fps: 25, gop: 25 });
    await runFfmpeg([
      '-i',
      `file:${clip}`,
      '-c',
      'copy',
      '-f',
      'hls',
      '-hls_time',
      '1',
      '-hls_list_size',
      '0',
      '-hls_playlist_type',
      'vod',
      `file:${join(directory, 'index.m3u8')}`,
    ]);
    other = await serve(directory, '127.0.0.2');
    allowed = await serve(directory, '127.0.0.1', (url) =>
      url.endsWith('/redirect.m3u8') ? { status: 302, headers: { location: `${other.base}/index.m3u8` } } : undefined,
    );
    // Segments of a playlist on the allowed host that live on the other host.
    const segments = ['index0.ts', 'index1.ts', 'index2.ts'];
    writeFileSync(
      join(directory, 'cross.m3u8'),
      `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-PLAYLIST-TYPE:VOD\n${segments.map((name) => `#EXTINF:1.0,\n${other.base}/${name}\n`).join('')}#EXT-X-ENDLIST\n`,
    );
    // A master playlist on the allowed host whose variant is on the other host.
    writeFileSync(
      join(directory, 'master.m3u8'),
      `#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=100000,RESOLUTION=160x120\n${other.base}/index.m3u8\n`,
    );
    proxyEvents.on('request', record);
  });
  afterEach(() => {
    configureNetworkPolicy({});
    seen.length = 0;
  });
  after(async () => {
    proxyEvents.off('request', record);
    if (savedEnvironment.hosts !== undefined) process.env.VIDTOK_ALLOWED_HOSTS = savedEnvironment.hosts;
    if (savedEnvironment.all !== undefined) process.env.VIDTOK_ALLOW_PRIVATE_NETWORK = savedEnvironment.all;
    await Promise.all(
      [allowed, other].map(({ server }) => new Promise((resolvePromise) => server.close(resolvePromise))),
    );
    assert.deepEqual(await survivingFfmpegChildren(), []);
  });

  it('classifies loopback, private, link-local, metadata, unique-local and mapped addresses', () => {
    const expected: Array<[string, string]> = [
      ['127.0.0.1', 'loopback'],
      ['127.9.9.9', 'loopback'],
      ['::1', 'loopback'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['10.1.2.3', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['::ffff:192.168.0.1', 'private'],
      ['169.254.169.254', 'metadata'],
      ['fd00:ec2::254', 'metadata'],
      ['169.254.1.1', 'link-local'],
      ['fe80::1', 'link-local'],
      ['fd12:3456::1', 'unique-local'],
      ['fc00::1', 'unique-local'],
      ['0.0.0.0', 'unspecified'],
      ['::', 'unspecified'],
      ['100.64.0.1', 'shared (CGNAT)'],
      ['8.8.8.8', 'public'],
      ['172.32.0.1', 'public'],
      ['2001:db8::1', 'public'],
      ['11.0.0.1', 'public'],
    ];
    for (const [address, addressClass] of expected) assert.equal(classifyAddress(address), addressClass, address);
  });

  it('decides by host name, address and CIDR lists', () => {
    const policy = { allowPrivateNetwork: false, allowedHosts: ['camera.local', '.lan', '10.1.0.0/16', '::1'] };
    assert.equal(decideAddress('camera.local', '192.168.1.5', policy).allowed, true);
    assert.equal(decideAddress('nvr.lan', '192.168.1.6', policy).allowed, true);
    assert.equal(decideAddress('other.local', '192.168.1.5', policy).allowed, false);
    assert.equal(decideAddress('x', '10.1.200.3', policy).allowed, true);
    assert.equal(decideAddress('x', '10.2.0.1', policy).allowed, false);
    assert.equal(decideAddress('x', '::1', policy).allowed, true);
    assert.equal(decideAddress('x', '169.254.169.254', policy).allowed, false);
    assert.equal(decideAddress('x', '169.254.169.254', { allowPrivateNetwork: true, allowedHosts: [] }).allowed, true);
    assert.equal(decideAddress('example.com', '93.184.215.14', policy).allowed, true);
  });

  it('refuses a loopback URL by default, before ffmpeg runs and before any request', async () => {
    const input = `${allowed.base}/index.m3u8`;
    const before = allowed.requests.length;
    await assert.rejects(probe(input), (error) => expectRefused(error, input, '127.0.0.1'));
    await assert.rejects(extractFrames(input, { fps: 1 }), (error) => expectRefused(error, input, '127.0.0.1'));
    const named = input.replace('127.0.0.1', 'localhost');
    await assert.rejects(probe(named), (error) => expectRefused(error, named, 'localhost'));
    assert.equal(allowed.requests.length, before, 'the server was never contacted');
  });

  it('an allowed host: the playlist and every segment request go through the proxy to the checked address', async () => {
    configureNetworkPolicy({ allowedHosts: ['127.0.0.1'] });
    const result = await extractFrames(`${allowed.base}/index.m3u8`, {
      fps: 5,
      size: { width: 16, height: 16 },
      bufferFrames: 1000,
    });
    assert.ok(result.frames.length >= 13, `${result.frames.length} frames`);
    const segmentRequests = seen.filter((request) => /index\d+\.ts$/.test(request.target));
    assert.ok(
      segmentRequests.length >= 3,
      `segments went through the proxy: ${JSON.stringify(seen.map((request) => request.target))}`,
    );
    assert.ok(segmentRequests.every((request) => request.address === '127.0.0.1' && request.refusal === undefined));
  });

  it('a segment URL on a host that is not allowed is refused on its way and that host gets no request', async () => {
    configureNetworkPolicy({ allowedHosts: ['127.0.0.1'] });
    const input = `${allowed.base}/cross.m3u8`;
    await assert.rejects(extractFrames(input, { fps: 5, bufferFrames: 1000 }), (error) =>
      expectRefused(error, input, '127.0.0.2'),
    );
    assert.ok(
      seen.some((request) => request.target.startsWith(`${other.base}/index0.ts`) && request.refusal !== undefined),
      JSON.stringify(seen),
    );
    assert.deepEqual(other.requests, []);
  });

  it('a redirect to a host that is not allowed is refused at the hop', async () => {
    configureNetworkPolicy({ allowedHosts: ['127.0.0.1'] });
    const input = `${allowed.base}/redirect.m3u8`;
    await assert.rejects(probe(input), (error) => expectRefused(error, input, '127.0.0.2'));
    assert.ok(
      allowed.requests.some((url) => url.endsWith('/redirect.m3u8')),
      'the first hop was made',
    );
    assert.deepEqual(other.requests, []);
  });

  it('a variant playlist on a host that is not allowed is refused', async () => {
    configureNetworkPolicy({ allowedHosts: ['127.0.0.1'] });
    const input = `${allowed.base}/master.m3u8`;
    await assert.rejects(extractFrames(input, { fps: 5, bufferFrames: 1000 }), (error) =>
      expectRefused(error, input, '127.0.0.2'),
    );
    assert.deepEqual(other.requests, []);
  });

  it('a CIDR or --allow-private-network lets the other host in', async () => {
    configureNetworkPolicy({ allowedHosts: ['127.0.0.0/30'] });
    const viaCidr = await extractFrames(`${allowed.base}/cross.m3u8`, {
      fps: 5,
      size: { width: 16, height: 16 },
      bufferFrames: 1000,
    });
    assert.ok(viaCidr.frames.length >= 13, `${viaCidr.frames.length} frames`);
    assert.ok(other.requests.some((url) => url.endsWith('index0.ts')));
    configureNetworkPolicy({ allowPrivateNetwork: true });
    const info = await probe(`${allowed.base}/redirect.m3u8`);
    assert.equal(info.isLive, true);
  });

  it('HTTPS: the tunnel to an allowed host carries the stream; a segment on a refused host is refused at CONNECT', async () => {
    const secureOther = await serve(directory, '127.0.0.2', undefined, true);
    const secure = await serve(directory, '127.0.0.1', undefined, true);
    try {
      writeFileSync(
        join(directory, 'secure-cross.m3u8'),
        `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:1.0,\n${secureOther.base}/index0.ts\n#EXT-X-ENDLIST\n`,
      );
      configureNetworkPolicy({ allowedHosts: ['127.0.0.1'] });
      const result = await extractFrames(`${secure.base}/index.m3u8`, {
        fps: 5,
        size: { width: 16, height: 16 },
        bufferFrames: 1000,
      });
      assert.ok(result.frames.length >= 13, `${result.frames.length} frames`);
      const port = secure.base.split(':').pop();
      assert.ok(
        seen.some(
          (request) =>
            request.method === 'CONNECT' && request.target === `127.0.0.1:${port}` && request.address === '127.0.0.1',
        ),
        JSON.stringify(seen),
      );
      const input = `${secure.base}/secure-cross.m3u8`;
      await assert.rejects(extractFrames(input, { fps: 5, bufferFrames: 1000 }), (error) =>
        expectRefused(error, input, '127.0.0.2'),
      );
      assert.deepEqual(secureOther.requests, []);
    } finally {
      await Promise.all(
        [secure, secureOther].map(({ server }) => new Promise((resolvePromise) => server.close(resolvePromise))),
      );
    }
  });

  it('the proxy serves only vidtok children: a request without their credentials gets 407', async () => {
    const proxy = await startForwardingProxy();
    const status = await new Promise<number>((resolvePromise, reject) => {
      const request = httpRequest(
        { host: '127.0.0.1', port: proxy.port, path: `${allowed.base}/index.m3u8`, method: 'GET' },
        (response) => {
          response.resume();
          resolvePromise(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.end();
    });
    assert.equal(status, 407);
  });

  it('the CLI: exit 4 with a one-line refusal; --allow-private-network and VIDTOK_ALLOWED_HOSTS allow', async () => {
    const input = `${allowed.base}/index.m3u8`;
    // Asynchronous: the servers run in this process and must keep answering while the CLI runs.
    const run = (
      args: string[],
      environment: NodeJS.ProcessEnv = {},
    ): Promise<{ status: number | null; stderr: string }> =>
      new Promise((resolvePromise, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
          cwd: repoRoot,
          env: { ...process.env, ...environment },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.on('error', reject);
        child.on('close', (status) => {
          clearTimeout(timer);
          resolvePromise({ status, stderr });
        });
      });
    const refused = await run(['probe', input]);
    assert.equal(refused.status, 4, refused.stderr);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /refused to contact 127\.0\.0\.1: a loopback address; allow it with --allow-private-network/,
    );
    const flagged = await run(['probe', input, '--allow-private-network']);
    assert.equal(flagged.status, 0, flagged.stderr);
    const listed = await run(['probe', input], { VIDTOK_ALLOWED_HOSTS: '127.0.0.1' });
    assert.equal(listed.status, 0, listed.stderr);
  });
});

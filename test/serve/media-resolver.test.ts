/**
 * @file Media resolution of `vidtok serve` without a model: files only inside `--media-dir` (relative paths,
 * file:// URLs), `../` and symlinks pointing outside refused with 403 after the link is resolved, other schemes
 * 403, loopback http(s) refused by the network policy (and, when allowed, downloaded: keyed by content, redirects
 * re-checked, size bounded, playlists refused), data: URLs only for real images, and the content key the same for
 * two names of one content and different for different content.
 */
import assert from 'node:assert/strict';
import { copyFileSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { HttpError, MediaResolver } from '../../src/serve/index.js';
import { scratchDir, sharedVideo } from '../helpers/paths.js';

const scratch = scratchDir('serve-media');
const media = join(scratch, 'media');
const outside = join(scratch, 'outside');
mkdirSync(media);
mkdirSync(outside);
copyFileSync(sharedVideo('boat.mp4'), join(media, 'boat.mp4'));
copyFileSync(sharedVideo('boat.mp4'), join(media, 'boat-copy.mp4'));
copyFileSync(sharedVideo('yoga.mp4'), join(media, 'yoga.mp4'));
writeFileSync(join(outside, 'secret.mp4'), 'not for clients');
symlinkSync(join(outside, 'secret.mp4'), join(media, 'escape.mp4'));
symlinkSync(join(media, 'yoga.mp4'), join(media, 'alias.mp4'));
const resolver = new MediaResolver({ mediaDirectories: [media], scratchDirectory: join(scratch, 'images') });

async function status(url: string, kind: 'video' | 'image' = 'video'): Promise<number> {
  try {
    await resolver.resolve(url, kind);
    return 200;
  } catch (error) {
    assert.ok(error instanceof HttpError, `an HttpError, got ${String(error)}`);
    return error.status;
  }
}

test('relative paths and file:// URLs inside --media-dir resolve to the real file, keyed by content', async () => {
  const relative = await resolver.resolve('boat.mp4', 'video');
  assert.equal(relative.input, join(media, 'boat.mp4'));
  assert.match(relative.contentKey, /^sha256:[0-9a-f]{64}$/);
  const url = await resolver.resolve(pathToFileURL(join(media, 'boat-copy.mp4')).href, 'video');
  assert.equal(url.contentKey, relative.contentKey, 'same content, same key');
  const yoga = await resolver.resolve('yoga.mp4', 'video');
  assert.notEqual(yoga.contentKey, relative.contentKey);
  const alias = await resolver.resolve('alias.mp4', 'video');
  assert.equal(alias.input, join(media, 'yoga.mp4'), 'a link inside the folder is read through its target');
  assert.equal(alias.contentKey, yoga.contentKey);
});

test('anything outside --media-dir is 403, symlinks resolved first; a missing file inside is 400', async () => {
  assert.equal(await status('escape.mp4'), 403, 'a symlink pointing outside');
  assert.equal(await status('../outside/secret.mp4'), 403);
  assert.equal(await status(pathToFileURL(join(outside, 'secret.mp4')).href), 403);
  assert.equal(await status('file:///etc/passwd'), 403);
  assert.equal(await status('/etc/passwd'), 403);
  assert.equal(await status('concat:boat.mp4|yoga.mp4'), 403);
  assert.equal(await status('ftp://example.com/a.mp4'), 403);
  assert.equal(await status('data:video/mp4;base64,AAAA'), 403, 'data: only for images');
  assert.equal(await status('missing.mp4'), 400);
  const none = new MediaResolver({ mediaDirectories: [], scratchDirectory: join(scratch, 'images') });
  await assert.rejects(
    none.resolve('boat.mp4', 'video'),
    (error: unknown) => error instanceof HttpError && error.status === 403,
  );
});

test('http(s) media goes through the network policy: loopback refused with 403', async () => {
  const previous = process.env.VIDTOK_ALLOW_PRIVATE_NETWORK;
  delete process.env.VIDTOK_ALLOW_PRIVATE_NETWORK;
  try {
    assert.equal(await status('http://127.0.0.1:9/clip.mp4'), 403);
    assert.equal(await status('https://[::1]/clip.mp4'), 403);
  } finally {
    if (previous !== undefined) process.env.VIDTOK_ALLOW_PRIVATE_NETWORK = previous;
  }
});

test('data: images are checked by their magic bytes and stored content-addressed', async () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  const first = await resolver.resolve(`data:image/png;base64,${png.toString('base64')}`, 'image');
  const second = await resolver.resolve(`data:image/png;base64,${png.toString('base64')}`, 'image');
  assert.equal(first.input, second.input);
  assert.match(first.input, /\.png$/);
  assert.equal(await status(`data:image/png;base64,${Buffer.from('hello').toString('base64')}`, 'image'), 400);
  assert.equal(await status('data:image/png,rawtext', 'image'), 400);
});

test('http(s) media is downloaded under the policy: keyed by content, redirects re-checked, size bounded, playlists refused', async () => {
  const { createServer } = await import('node:http');
  const { readFileSync } = await import('node:fs');
  const { configureNetworkPolicy } = await import('../../src/net/network-policy.js');
  const boat = readFileSync(sharedVideo('boat.mp4'));
  const server = createServer((request, response) => {
    if (request.url === '/boat.mp4') response.writeHead(200, { 'Content-Type': 'video/mp4' }).end(boat);
    else if (request.url === '/moved') response.writeHead(302, { Location: '/boat.mp4' }).end();
    else if (request.url === '/elsewhere') response.writeHead(302, { Location: 'http://[::1]:9/secret.mp4' }).end();
    else if (request.url === '/list.m3u8')
      response.writeHead(200, { 'Content-Type': 'application/vnd.apple.mpegurl' }).end('#EXTM3U\n');
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  configureNetworkPolicy({ allowedHosts: ['127.0.0.1'] });
  try {
    const local = await resolver.resolve('boat.mp4', 'video');
    const remote = await resolver.resolve(`${base}/boat.mp4`, 'video');
    assert.equal(remote.contentKey, local.contentKey, 'the same content downloaded has the same key as the local file');
    assert.notEqual(remote.input, `${base}/boat.mp4`, 'read from the downloaded file');
    assert.equal(
      (await resolver.resolve(`${base}/moved`, 'video')).contentKey,
      local.contentKey,
      'a redirect to an allowed host is followed',
    );
    assert.equal(await status(`${base}/elsewhere`), 403, 'a redirect to a refused address');
    assert.equal(await status(`${base}/list.m3u8`), 400);
    assert.equal(await status(`${base}/missing.mp4`), 400);
    const small = new MediaResolver({
      mediaDirectories: [],
      scratchDirectory: join(scratch, 'small'),
      maxDownloadBytes: 1000,
    });
    await assert.rejects(
      small.resolve(`${base}/boat.mp4`, 'video'),
      (error: unknown) => error instanceof HttpError && error.status === 413,
    );
  } finally {
    configureNetworkPolicy({});
    server.close();
  }
});

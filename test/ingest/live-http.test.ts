/**
 * @file HTTP(S)/HLS sources through a local server: an HLS playlist is read with the http whitelist, and a playlist
 * that points at a local file (the classic HLS file-disclosure trick) is refused because `file` is not whitelisted.
 */
import assert from 'node:assert/strict';
import { createReadStream, existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VidtokError } from '../../src/errors/index.js';
import { extractFrames } from '../../src/ingest/index.js';
import { makeClip, runFfmpeg, survivingFfmpegChildren } from '../helpers/media.js';
import { scratchDir } from '../helpers/paths.js';

// The local test servers listen on loopback, which the network policy refuses unless allowed (docs/security.md).
process.env.VIDTOK_ALLOWED_HOSTS = '127.0.0.1';

describe('http and HLS sources', () => {
  let directory: string;
  let server: Server;
  let base: string;
  before(async () => {
    directory = scratchDir('ingest-http');
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
    writeFileSync(
      join(directory, 'evil.m3u8'),
      `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nfile://${join(directory, 'clip.mp4')}\n#EXT-X-ENDLIST\n`,
    );
    server = createServer((request, response) => {
      const name = basename(request.url ?? '/');
      const path = join(directory, name);
      if (!existsSync(path)) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, {
        'content-type': name.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t',
      });
      createReadStream(path).pipe(response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    assert.deepEqual(await survivingFfmpegChildren(), []);
  });

  it('reads an HLS playlist over http as a live source', async () => {
    const result = await extractFrames(`${base}/index.m3u8`, {
      fps: 5,
      size: { width: 16, height: 16 },
      bufferFrames: 1000,
    });
    assert.equal(result.plan.mode, 'live');
    assert.equal(result.probe.isLive, true);
    assert.ok(Math.abs(result.frames.length - 15) <= 1, `${result.frames.length} frames`);
    assert.equal(result.dropped, 0);
  });

  it('refuses a playlist that points at a local file', async () => {
    await assert.rejects(extractFrames(`${base}/evil.m3u8`, { fps: 1 }), (error: unknown) => {
      assert.ok(VidtokError.isInstance(error), String(error));
      assert.match(error.message, /evil\.m3u8: refers to protocol 'file', which is not allowed/);
      return true;
    });
  });
});

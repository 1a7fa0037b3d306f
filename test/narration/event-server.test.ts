/**
 * @file NarrationEventServer: `[host:]port` parsing, the live page (self-contained: no external URL), SSE delivery
 * to a connected client, replay of recent history to a late client, 404/405, and close() ending clients.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/errors/index.js';
import { NarrationEventServer, parseListenAddress, type NarrationEvent } from '../../src/narration/index.js';
import { readServerSentEvents } from './narration-helpers.js';

describe('parseListenAddress', () => {
  it('defaults the host to 127.0.0.1 and accepts host:port and [ipv6]:port', () => {
    assert.deepEqual(parseListenAddress('8080'), { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(parseListenAddress('0.0.0.0:0'), { host: '0.0.0.0', port: 0 });
    assert.deepEqual(parseListenAddress('localhost:9000'), { host: 'localhost', port: 9000 });
    assert.deepEqual(parseListenAddress('[::1]:7000'), { host: '::1', port: 7000 });
    for (const bad of ['', 'http://x:1', '70000', 'host:', ':80', 'a b:1'])
      assert.throws(() => parseListenAddress(bad), UsageError, bad);
  });
});

async function waitForClient(server: NarrationEventServer): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (server.clientCount === 0) {
    if (Date.now() > deadline) throw new Error('no SSE client connected');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('NarrationEventServer', () => {
  it('serves the page and streams events, replaying history to late clients', async () => {
    const server = await NarrationEventServer.start({ host: '127.0.0.1', port: 0, historySize: 3 });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetch(server.url);
      assert.equal(page.status, 200);
      assert.match(String(page.headers.get('content-type')), /^text\/html/);
      const html = await page.text();
      assert.match(html, /new EventSource\('\/events'\)/);
      assert.doesNotMatch(html, /(src|href)\s*=\s*["']?(https?:)?\/\//i, 'no external resources');
      assert.doesNotMatch(html, /@import|url\(/i);
      assert.equal((await fetch(`${server.url}nope`)).status, 404);
      assert.equal((await fetch(server.url, { method: 'POST' })).status, 405);

      const live = readServerSentEvents(`${server.url}events`, (events) => events.length >= 3);
      await waitForClient(server);
      const sent: NarrationEvent[] = [
        { type: 'scene-start', scene: 0, start: 0 },
        { type: 'narration-delta', scene: 0, text: 'a "quoted"\nline' },
        { type: 'frame-dropped', count: 2, total: 2, at: 1.5 },
        { type: 'source-reconnect', attempt: 1, delayMilliseconds: 500, reason: 'the source ended' },
      ];
      for (const event of sent) server.publish(event);
      const received = await live;
      assert.deepEqual(
        received.slice(0, 3).map((event) => event.event),
        ['scene-start', 'narration-delta', 'frame-dropped'],
      );
      assert.deepEqual(
        received.slice(0, 3).map((event) => event.data),
        sent.slice(0, 3),
      );
      // A late client gets the last historySize events.
      const late = await readServerSentEvents(`${server.url}events`, (events) => events.length >= 3);
      assert.deepEqual(
        late.map((event) => event.data),
        sent.slice(1),
      );
      const ending = readServerSentEvents(`${server.url}events`, (events) =>
        events.some((event) => event.event === 'stream-end'),
      );
      await waitForClient(server);
      server.end();
      const ended = await ending;
      assert.equal(ended[ended.length - 1]!.event, 'stream-end');
    } finally {
      await server.close();
    }
    await assert.rejects(fetch(server.url));
  });

  it('reports a port in use as a usage error naming the address', async () => {
    const first = await NarrationEventServer.start({ host: '127.0.0.1', port: 0 });
    try {
      const port = Number(new URL(first.url).port);
      await assert.rejects(
        NarrationEventServer.start({ host: '127.0.0.1', port }),
        (error: Error) => error instanceof UsageError && error.message.includes(`127.0.0.1:${port}`),
      );
    } finally {
      await first.close();
    }
  });
});

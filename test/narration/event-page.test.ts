/**
 * @file The live page in a real browser (Debian's Chromium through playwright-core; skipped when it is missing): it
 * loads from the event server under its Content-Security-Policy without errors or outside requests, shows each scene
 * with its narration growing from the deltas (as text, never as HTML), counts dropped frames, and says when the
 * stream ended.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { NarrationEventServer } from '../../src/narration/index.js';
import { thumbnailDataUri } from '../../src/narration/scene-thumbnails.js';

/** The few DOM members the page-side conditions use. */
interface PageElement {
  readonly textContent: string | null;
}
interface PageGlobal {
  readonly document: {
    getElementById(id: string): PageElement | null;
    querySelector(selector: string): PageElement | null;
    querySelectorAll(selector: string): { readonly length: number };
  };
}

const chromiumPath = process.env.VIDTOK_CHROMIUM ?? '/usr/bin/chromium';
const red = { width: 64, height: 36, data: new Uint8Array(64 * 36 * 3).map((_, at) => (at % 3 === 0 ? 220 : 30)) };

describe('narration page', { skip: existsSync(chromiumPath) ? false : `no Chromium at ${chromiumPath}` }, () => {
  it('renders events live under its CSP, with no outside requests', async () => {
    const server = await NarrationEventServer.start({ host: '127.0.0.1', port: 0, title: 'narrate <test>' });
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      timeout: 60_000,
    });
    try {
      const page = await browser.newPage();
      page.setDefaultTimeout(30_000);
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('request', (request) => requests.push(request.url()));
      // Conditions are functions run in the page (string expressions would need eval, which the page's CSP forbids);
      // `PageGlobal` types the page's document without the DOM library (the casts vanish when compiled).
      // An event published before the page connects arrives through the history replay.
      server.publish({ type: 'scene-start', scene: 0, start: 0 });
      await page.goto(server.url, { waitUntil: 'load' });
      assert.equal(await page.title(), 'narrate <test>');
      await page.waitForFunction(
        () => (globalThis as unknown as PageGlobal).document.getElementById('status')?.textContent === 'live',
      );
      server.publish({ type: 'narration-delta', scene: 0, text: 'a dog ' });
      server.publish({ type: 'narration-delta', scene: 0, text: '<b>runs</b>' });
      await page.waitForFunction(
        () =>
          (globalThis as unknown as PageGlobal).document.querySelector('.scene .text')?.textContent ===
          'a dog <b>runs</b>',
      );
      assert.equal(await page.locator('.scene.live').count(), 1);
      assert.equal(await page.locator('.scene b').count(), 0, 'narration text is never parsed as HTML');
      server.publish({
        type: 'narration-end',
        scene: 0,
        mergedScenes: [],
        start: 0,
        end: 2.5,
        text: 'a dog <b>runs</b>',
        closedBy: 'cut',
        interrupted: false,
        generatedTokens: 4,
        frames: 2,
        frameTimes: [0, 2],
        thumbnails: [thumbnailDataUri(red, 32), thumbnailDataUri(red, 32)],
        memoryTokens: 0,
        visualTokens: 80,
        pendingScenes: 0,
        latencyMilliseconds: 12,
      });
      server.publish({ type: 'scene-merged', scene: 2, into: 1, total: 1, pendingScenes: 2 });
      server.publish({ type: 'scene-start', scene: 1, start: 2.5 });
      server.publish({ type: 'frame-dropped', count: 3, total: 3, at: 2.5 });
      await page.waitForFunction(
        () =>
          (globalThis as unknown as PageGlobal).document.querySelectorAll('.scene').length === 2 &&
          (globalThis as unknown as PageGlobal).document.querySelector('.scene.done') !== null,
      );
      assert.match(String(await page.locator('.scene.done .time').textContent()), /scene 0 .*0:00\.0 → 0:02\.5/);
      assert.equal(await page.locator('#dropped').textContent(), '3 frames dropped');
      assert.equal(await page.locator('#merged').textContent(), '1 scenes merged (narrator behind)');
      assert.match(
        String(await page.locator('.scene.done .boundary').textContent()),
        /ended by a cut; 2 frames seen, 80 visual tokens/,
      );
      assert.equal(
        await page.locator('.scene.done .frames img').count(),
        2,
        'the thumbnails of the frames the narration saw',
      );
      assert.deepEqual(await page.locator('.scene.done .frames figcaption').allTextContents(), ['0:00.0', '0:02.0']);
      assert.ok(
        await page
          .locator('.scene.done .frames img')
          .first()
          .evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth === 32),
        'the PNG decodes (CSP allows data: images)',
      );
      server.end();
      await page.waitForFunction(
        () => (globalThis as unknown as PageGlobal).document.getElementById('status')?.textContent === 'ended',
      );
      const origin = new URL(server.url).origin;
      assert.deepEqual(
        requests.filter((url) => !url.startsWith(origin) && !url.startsWith('data:')),
        [],
        'no outside requests',
      );
      assert.deepEqual(problems, [], 'no console errors (a CSP violation would show here)');
    } finally {
      await browser.close();
      await server.close();
    }
  });
});

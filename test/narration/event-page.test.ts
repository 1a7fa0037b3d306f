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

describe('narration page', { skip: existsSync(chromiumPath) ? false : `no Chromium at ${chromiumPath}` }, () => {
  it('renders events live under its CSP, with no outside requests', async () => {
    const server = await NarrationEventServer.start({ host: '127.0.0.1', port: 0, title: 'narrate <test>' });
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
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
      await page.waitForFunction(() => (globalThis as unknown as PageGlobal).document.getElementById('status')?.textContent === 'live');
      server.publish({ type: 'narration-delta', scene: 0, text: 'a dog ' });
      server.publish({ type: 'narration-delta', scene: 0, text: '<b>runs</b>' });
      await page.waitForFunction(() => (globalThis as unknown as PageGlobal).document.querySelector('.scene .text')?.textContent === 'a dog <b>runs</b>');
      assert.equal(await page.locator('.scene.live').count(), 1);
      assert.equal(await page.locator('.scene b').count(), 0, 'narration text is never parsed as HTML');
      server.publish({
        type: 'narration-end', scene: 0, mergedScenes: [], start: 0, end: 2.5, text: 'a dog <b>runs</b>', closedBy: 'cut',
        interrupted: false, generatedTokens: 4, frames: 5, frameTimes: [0, 0.5, 1, 1.5, 2], memoryTokens: 0, visualTokens: 80, pendingScenes: 0, latencyMilliseconds: 12,
      });
      server.publish({ type: 'scene-start', scene: 1, start: 2.5 });
      server.publish({ type: 'frame-dropped', count: 3, total: 3, at: 2.5 });
      await page.waitForFunction(() => (globalThis as unknown as PageGlobal).document.querySelectorAll('.scene').length === 2 && (globalThis as unknown as PageGlobal).document.querySelector('.scene.done') !== null);
      assert.match(String(await page.locator('.scene.done .time').textContent()), /scene 0 .*0:00\.0 → 0:02\.5/);
      assert.equal(await page.locator('#dropped').textContent(), '3 frames dropped');
      server.end();
      await page.waitForFunction(() => (globalThis as unknown as PageGlobal).document.getElementById('status')?.textContent === 'ended');
      const origin = new URL(server.url).origin;
      assert.deepEqual(requests.filter((url) => !url.startsWith(origin)), [], 'no outside requests');
      assert.deepEqual(problems, [], 'no console errors (a CSP violation would show here)');
    } finally {
      await browser.close();
      await server.close();
    }
  });
});

/**
 * @file Opens an HTML file in headless Chromium (Debian's /usr/bin/chromium through playwright-core, a fresh empty
 * profile) with a deadline, records console messages and every request, and always closes the browser.
 */
import { chromium, type Page } from 'playwright-core';

export interface PageRecord {
  readonly consoleErrors: string[];
  readonly requests: string[];
  readonly failedRequests: string[];
  readonly pageErrors: string[];
}

export const chromiumPath = process.env.VIDTOK_CHROMIUM ?? '/usr/bin/chromium';

/** Runs `inspect(page, record)` on `file` and closes the browser whatever happens (deadline `timeoutMs`). */
export async function withPage<T>(
  file: string,
  inspect: (page: Page, record: PageRecord) => Promise<T>,
  timeoutMs = 60_000,
): Promise<T> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: timeoutMs,
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`browser check of ${file} did not finish within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    const work = (async () => {
      const page = await browser.newPage({ viewport: { width: 1240, height: 1000 } });
      page.setDefaultTimeout(timeoutMs);
      const record: PageRecord = { consoleErrors: [], requests: [], failedRequests: [], pageErrors: [] };
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning')
          record.consoleErrors.push(`${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => record.pageErrors.push(error.message));
      page.on('request', (request) => record.requests.push(request.url()));
      page.on('requestfailed', (request) => record.failedRequests.push(request.url().slice(0, 120)));
      await page.goto(`file://${file}`, { waitUntil: 'load' });
      return inspect(page, record);
    })();
    return await Promise.race([work, deadline]);
  } finally {
    if (timer) clearTimeout(timer);
    await browser.close();
  }
}

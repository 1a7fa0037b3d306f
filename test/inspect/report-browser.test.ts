/**
 * @file The report of every built-in pipeline on a real 10 s clip, opened in headless Chromium: no console errors, no
 * request leaves the page (only data: pictures), every section and picture renders, the screenshot is not blank, the
 * file stays small; and the PNG figures decode.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { listBuiltInPipelines } from '../../src/graph/pipeline-registry.js';
import { inspectVideo, type InspectVideoResult } from '../../src/inspect/inspect-video.js';
import { scratchDir, sharedVideo } from '../helpers/paths.js';
import { withPage } from './chromium.js';
import { readPng } from './png-reader.js';

interface PageLayout {
  readonly sections: string[];
  readonly pipelineSections: number;
  readonly timelineMarks: number;
  readonly timelineImages: number;
  readonly sceneCharts: number;
  readonly budgetBars: number;
  readonly images: number;
  readonly brokenImages: string[];
  readonly width: number;
  readonly height: number;
}

let result: InspectVideoResult;
let reportFile: string;
let builtInCount: number;

before(async () => {
  result = await inspectVideo(sharedVideo('yoga.mp4'), { figures: true, question: 'what pose <is> this?' });
  builtInCount = (await listBuiltInPipelines()).length;
  reportFile = join(scratchDir('inspect-report'), 'report.html');
  writeFileSync(reportFile, result.html);
});

test('the default report on a 10 s clip is self-contained and small', (t) => {
  const bytes = Buffer.byteLength(result.html);
  t.diagnostic(`report size ${(bytes / 1024).toFixed(0)} KiB for ${result.summary.pipelines.length} pipelines`);
  assert.ok(bytes < 3 * 1024 * 1024, `report is ${bytes} bytes`);
  assert.equal(result.summary.pipelines.length, builtInCount);
  assert.ok(result.summary.pipelines.every((pipeline) => pipeline.error === undefined));
  // Nothing external: every src/href is a data URI or an in-page anchor.
  for (const match of result.html.matchAll(/\s(?:src|href)="([^"]*)"/g))
    assert.ok(match[1]!.startsWith('data:image/jpeg;base64,') || match[1]!.startsWith('#'), match[1]!.slice(0, 60));
  assert.ok(!/<script|<link|@import|url\(/i.test(result.html));
  assert.ok(result.html.includes('what pose &lt;is&gt; this?'));
});

test('the report renders in Chromium: sections, charts, pictures, no errors, not blank', async (t) => {
  const checks = await withPage(reportFile, async (page, record) => {
    // Runs in the page (a string, so the test compiles without the DOM library).
    const layout = (await page.evaluate(`(() => {
      const images = [...document.images];
      return {
        sections: [...document.querySelectorAll('section')].map((section) => section.id),
        pipelineSections: document.querySelectorAll('section.pipeline').length,
        timelineMarks: document.querySelectorAll('#timeline svg rect').length,
        timelineImages: document.querySelectorAll('#timeline svg image').length,
        sceneCharts: document.querySelectorAll('#scenes svg polyline').length,
        budgetBars: document.querySelectorAll('#budget svg rect.bar').length,
        images: images.length,
        brokenImages: images.filter((image) => !image.complete || image.naturalWidth === 0).map((image) => image.alt),
        width: document.documentElement.scrollWidth,
        height: document.documentElement.scrollHeight,
      };
    })()`)) as PageLayout;
    const screenshot = await page.screenshot({ fullPage: false });
    return { layout, screenshot, record };
  });
  const { layout, record } = checks;
  t.diagnostic(`${layout.images} pictures, page ${layout.width}x${layout.height}`);
  assert.deepEqual(record.pageErrors, []);
  assert.deepEqual(record.consoleErrors, []);
  assert.deepEqual(record.failedRequests, []);
  assert.deepEqual(
    record.requests.filter((url) => !url.startsWith('data:') && !url.startsWith('file:')),
    [],
  );
  for (const id of ['timeline', 'budget', 'scenes', 'run']) assert.ok(layout.sections.includes(id), `section ${id}`);
  assert.equal(layout.pipelineSections, builtInCount);
  assert.ok(layout.timelineImages >= 5);
  assert.ok(layout.timelineMarks > 100, `${layout.timelineMarks} timeline marks`);
  assert.equal(layout.sceneCharts, 2);
  assert.ok(layout.budgetBars >= 7);
  assert.ok(layout.images > 100);
  assert.deepEqual(layout.brokenImages, []);
  assert.ok(layout.width <= 1240, 'no horizontal scrolling at 1240 px');
  // Not blank: many distinct colours, including the thumbnails' (not only the page's greys).
  const shot = readPng(checks.screenshot);
  const colours = new Set<number>();
  for (let p = 0; p < shot.width * shot.height; p += 7)
    colours.add((shot.data[p * 3]! << 16) | (shot.data[p * 3 + 1]! << 8) | shot.data[p * 3 + 2]!);
  assert.ok(colours.size > 500, `${colours.size} colours in the screenshot`);
});

test('the PNG figures decode and cover every pipeline', () => {
  const names = result.figures.map((figure) => figure.name);
  for (const name of [
    'timeline.png',
    'budget.png',
    'scene-curves.png',
    'ig-vlm-built-image.png',
    'ts-llava-built-image.png',
  ])
    assert.ok(names.includes(name), name);
  for (const pipeline of result.summary.pipelines)
    assert.ok(names.includes(`${pipeline.name}-model-input.png`), pipeline.name);
  for (const figure of result.figures) {
    const image = readPng(figure.png);
    assert.ok(image.width > 10 && image.height > 10, figure.name);
  }
  const timeline = readPng(result.figures.find((figure) => figure.name === 'timeline.png')!.png);
  assert.equal(timeline.width, 1100);
});

/**
 * @file SVG chart sanity: tick values, marks placed at their times on the timeline's scale, bars proportional to their
 * token counts, markers and series drawn, and every user-provided string escaped.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml } from '../../src/inspect/html-escape.js';
import { budgetBarsSvg, lineChartSvg, niceTicks, timelineSvg } from '../../src/inspect/svg-charts.js';

function attributes(svg: string, element: string, className?: string): Record<string, string>[] {
  const pattern = new RegExp(`<${element}\\s([^>]*?)/?>`, 'g');
  const out: Record<string, string>[] = [];
  for (const match of svg.matchAll(pattern)) {
    const attributesOf: Record<string, string> = {};
    for (const pair of match[1]!.matchAll(/([a-z0-9-]+)="([^"]*)"/g)) attributesOf[pair[1]!] = pair[2]!;
    if (className === undefined || attributesOf.class === className) out.push(attributesOf);
  }
  return out;
}

test('niceTicks picks round steps that cover the range', () => {
  assert.deepEqual(niceTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(0, 1, 4), [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(niceTicks(0, 4608, 8), [0, 1000, 2000, 3000, 4000]);
  assert.deepEqual(niceTicks(3, 3), [3]);
});

test('timeline marks sit at their times and boundaries are drawn', () => {
  // width 1100: the plot spans x = 130 (0 s) to 1080 (10 s), so 95 px per second; marks are 3 px wide, centred.
  const svg = timelineSvg({
    duration: 10,
    width: 1100,
    thumbnails: [{ time: 2, href: 'data:image/jpeg;base64,AAAA', label: 'frame 50' }],
    rows: [
      { label: 'uniform', color: '#4e79a7', times: [0, 5, 10] },
      { label: 'other', color: '#f28e2b', times: [2.5] },
    ],
    boundaries: [4],
  });
  const marks = attributes(svg, 'rect').filter((rect) => rect.width === '3');
  assert.deepEqual(
    marks.map((rect) => Number(rect.x) + 1.5),
    [130, 605, 1080, 367.5],
  );
  const boundary = attributes(svg, 'line', 'boundary');
  assert.equal(boundary.length, 1);
  assert.equal(Number(boundary[0]!.x1), 130 + 4 * 95);
  assert.equal(attributes(svg, 'image').length, 1);
  assert.ok(svg.startsWith('<svg') && svg.endsWith('</svg>'));
});

test('user-provided strings are escaped everywhere', () => {
  const evil = '<script>alert("x")</script>&\'';
  const svg = timelineSvg({
    duration: 1,
    thumbnails: [{ time: 0, href: 'data:x"onload="alert(1)', label: evil }],
    rows: [{ label: evil, color: '#000', times: [0.5] }],
  });
  const chart = lineChartSvg({
    series: [
      {
        name: evil,
        color: '#000',
        points: [
          [0, 1],
          [1, 2],
        ],
      },
    ],
    xLabel: evil,
    markers: [{ x: 0.5, label: evil }],
  });
  const bars = budgetBarsSvg([{ label: evil, budget: 10, parts: [{ name: evil, value: 5, color: '#000' }] }]);
  for (const text of [svg, chart, bars]) {
    assert.ok(!text.includes('<script'), 'no raw script tag');
    assert.ok(!text.includes('"onload'), 'attribute values cannot be closed');
    assert.ok(text.includes(escapeHtml(evil)));
  }
  assert.equal(escapeHtml(`a<b>"c"&'d'`), 'a&lt;b&gt;&quot;c&quot;&amp;&#39;d&#39;');
});

test('line chart: one point per value, the highest value drawn highest, markers at their x', () => {
  const chart = lineChartSvg({
    series: [
      {
        name: 'depth',
        color: '#f28e2b',
        points: [
          [0, 0.1],
          [1, 0.9],
          [2, 0.3],
        ],
      },
    ],
    xLabel: 'time (s)',
    markers: [{ x: 1, label: 'cut' }],
    width: 520,
  });
  const circles = attributes(chart, 'circle');
  assert.equal(circles.length, 3);
  const ys = circles.map((circle) => Number(circle.cy));
  assert.equal(Math.min(...ys), ys[1]);
  const markers = attributes(chart, 'line', 'marker');
  assert.equal(markers.length, 1);
  assert.equal(markers[0]!.x1, circles[1]!.cx);
  assert.equal(attributes(chart, 'polyline').length, 1);
});

test('budget bars: widths proportional to tokens, one outlined budget box per row', () => {
  const svg = budgetBarsSvg([
    { label: 'a', budget: 576, parts: [{ name: 'grid', value: 576, color: '#edc948' }] },
    {
      label: 'b',
      budget: 3680,
      parts: [
        { name: 'slow', value: 2880, color: '#f28e2b' },
        { name: 'fast', value: 800, color: '#59a14f' },
      ],
    },
  ]);
  const bars = attributes(svg, 'rect', 'bar').map((rect) => Number(rect.width));
  assert.equal(bars.length, 3);
  assert.ok(Math.abs(bars[1]! / bars[0]! - 2880 / 576) < 0.01);
  assert.ok(Math.abs(bars[2]! / bars[0]! - 800 / 576) < 0.01);
  assert.equal(attributes(svg, 'rect').filter((rect) => rect['stroke-dasharray'] === '3 2').length, 2);
  assert.ok(svg.includes('3680 (100 % of 3680)'));
});

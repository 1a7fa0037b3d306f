/**
 * @file Renders the inspect report as one self-contained HTML page: inline CSS, inline SVG charts and every picture
 * as a base64 JPEG data URI (encoded in one pass at the end, one ffmpeg process per picture size). Every user-provided
 * string (file name, question, pipeline names and parameters) is escaped. No script, no external resource.
 */
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import type { RgbImage } from '../core/frame.js';
import { resizeImageArea } from '../encoders/resize-image.js';
import { escapeHtml } from './html-escape.js';
import type { InspectionData, PipelineInspection } from './inspection-types.js';
import { encodeJpegImages } from './jpeg-encode.js';
import { pipelinePalette, reportStyle, roleColor, roleColors } from './report-style.js';
import { budgetBarsSvg, lineChartSvg, timelineSvg } from './svg-charts.js';
import { evenlySpread, fitWithin } from './token-images.js';

/** Most pictures shown for one group of segments. */
const maximumPicturesPerGroup = 16;

/** Consecutive segments with the same role and the same picture method, shown as one row. */
function pictureGroups(pipeline: PipelineInspection): PipelineInspection['segmentPictures'][number][][] {
  const groups: PipelineInspection['segmentPictures'][number][][] = [];
  for (const entry of pipeline.segmentPictures) {
    const last = groups[groups.length - 1]?.[0];
    if (
      last !== undefined &&
      last.segment.role === entry.segment.role &&
      last.pictures.method === entry.pictures.method
    )
      groups[groups.length - 1]!.push(entry);
    else groups.push([entry]);
  }
  return groups;
}

export interface RenderReportOptions {
  /** ffmpeg `-q:v` of the JPEG pictures (default 5). */
  readonly jpegQuality?: number;
  readonly signal?: AbortSignal;
  /** Called once the pictures are encoded; returns the run timings to print. */
  readonly timings?: () => Readonly<Record<string, number>>;
}

/** Collects images while the HTML is built; placeholders are replaced by data URIs once all are encoded. */
class PictureStore {
  readonly images: RgbImage[] = [];
  private readonly token = randomBytes(6).toString('hex');

  /** A placeholder for the image's data URI. */
  add(image: RgbImage): string {
    this.images.push(image);
    return `@@picture-${this.token}-${this.images.length - 1}@@`;
  }

  async resolve(html: string, options: RenderReportOptions): Promise<string> {
    const encoded = await encodeJpegImages(this.images, {
      ...(options.jpegQuality !== undefined ? { quality: options.jpegQuality } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const pattern = new RegExp(`@@picture-${this.token}-(\\d+)@@`, 'g');
    return html.replace(
      pattern,
      (_, at: string) => `data:image/jpeg;base64,${Buffer.from(encoded[Number(at)]!).toString('base64')}`,
    );
  }
}

/** The largest size with the video's aspect ratio inside a `maxWidth` x `maxHeight` box. */
export function boxSize(aspect: number, maxWidth: number, maxHeight: number): { width: number; height: number } {
  const width = Math.min(maxWidth, maxHeight * aspect);
  return { width: Math.max(2, Math.round(width)), height: Math.max(2, Math.round(width / aspect)) };
}

/** A frame (at the encoder's square input size) shown at the video's aspect ratio inside a box. */
function frameInBox(frame: RgbImage, aspect: number, maxWidth: number, maxHeight: number): RgbImage {
  const size = boxSize(aspect, maxWidth, maxHeight);
  return resizeImageArea(frame, size.width, size.height);
}

function seconds(value: number): string {
  return `${value.toFixed(2)} s`;
}

function pipelineAnchor(name: string, at: number): string {
  return `pipeline-${at}-${name.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
}

function timelineSection(data: InspectionData, store: PictureStore): string {
  const { summary } = data;
  const thumbnails = data.timelineFrames.map((frame) => ({
    time: frame.pts,
    href: store.add(frameInBox(frame, data.aspect, 96, 72)),
    label: `frame ${frame.index} @ ${seconds(frame.pts)}`,
  }));
  const rows = data.pipelines.map((pipeline, at) => {
    const used = new Set(pipeline.summary.segments.flatMap((segment) => segment.timestamps));
    return {
      label: pipeline.summary.name,
      color: pipelinePalette[at % pipelinePalette.length]!,
      times: pipeline.summary.frames.map((frame) => frame.pts),
      highlighted: pipeline.summary.frames.map((frame) => frame.pts).filter((time) => used.has(time)),
    };
  });
  const svg = timelineSvg({
    duration: summary.probe.duration,
    thumbnails,
    rows,
    ...(summary.sceneCurves ? { boundaries: summary.sceneCurves.cutTimes } : {}),
    thumbnailWidth: boxSize(data.aspect, 96, 72).width,
    thumbnailHeight: boxSize(data.aspect, 96, 72).height,
  });
  return `<section id="timeline"><h2>Timeline</h2><p class="note">Thumbnails of decoded frames at their timestamps; one row per pipeline marks the frames it decoded (tall marks: frames whose tokens reach the model${summary.sceneCurves ? `; dashed red lines: SceneTilling cuts on ${escapeHtml(summary.sceneCurves.pipeline)}'s frames` : ''}).</p>${svg}</section>`;
}

function budgetSection(data: InspectionData): string {
  const rows = data.pipelines.map((pipeline) => ({
    label: pipeline.summary.name,
    budget: pipeline.summary.budget,
    parts: Object.entries(pipeline.summary.tokensByRole).map(([role, value]) => ({
      name: role,
      value,
      color: roleColor(role),
    })),
  }));
  const roles = new Set(data.pipelines.flatMap((pipeline) => Object.keys(pipeline.summary.tokensByRole)));
  const legend = [...Object.keys(roleColors), ...[...roles].filter((role) => !(role in roleColors))]
    .filter((role) => roles.has(role))
    .map((role) => `<span><i style="background:${escapeHtml(roleColor(role))}"></i>${escapeHtml(role)}</span>`)
    .join('');
  return `<section id="budget"><h2>Visual tokens against the budget</h2><p class="note">Tokens each pipeline hands to the model, by segment role; the dashed box is the pipeline's budget.</p><div class="legend">${legend}</div>${budgetBarsSvg(rows)}</section>`;
}

function scenesSection(data: InspectionData): string {
  const curves = data.summary.sceneCurves;
  if (curves === undefined) return '';
  const markers = curves.cutTimes.map((time) => ({ x: time, label: `cut at ${seconds(time)}` }));
  const domain: [number, number] = [0, Math.max(data.summary.probe.duration, ...curves.frameTimes)];
  const similarity = lineChartSvg({
    series: [
      {
        name: 'cosine similarity of neighbouring frames',
        color: '#4e79a7',
        points: curves.times.map((time, i) => [time, curves.similarity[i]!]),
      },
    ],
    xLabel: 'time (s)',
    markers,
    xDomain: domain,
    includeZero: false,
  });
  const depth = lineChartSvg({
    series: [
      {
        name: 'TextTiling depth score',
        color: '#f28e2b',
        points: curves.times.map((time, i) => [time, curves.depth[i]!]),
      },
    ],
    xLabel: 'time (s)',
    markers,
    xDomain: domain,
  });
  return `<section id="scenes"><h2>SceneTilling</h2><p class="note">On the ${curves.frameTimes.length} frames of <b>${escapeHtml(curves.pipeline)}</b> (mean-token descriptors), k = ${curves.k}: the similarity s<sub>i</sub> = cos(f<sub>i</sub>, f<sub>i+1</sub>) is plotted between the two frames; the cuts are the k largest depth scores.</p><div class="charts">${similarity}${depth}</div></section>`;
}

function questionSection(data: InspectionData): string {
  const scores = data.summary.questionScores;
  if (scores === undefined) return '';
  const chart = lineChartSvg({
    series: [
      {
        name: 'question score per frame',
        color: '#59a14f',
        points: scores.times.map((time, i) => [time, scores.scores[i]!]),
      },
    ],
    xLabel: 'time (s)',
    markers: scores.keptTimes.map((time) => ({ x: time, label: `kept frame at ${seconds(time)}` })),
    markerLegend: 'kept frame',
    width: 1000,
  });
  return `<section id="question-scores"><h2>Question scores (${escapeHtml(scores.pipeline)})</h2><p class="note">Mean of the top-k cosine similarities between each frame's tokens and the question embedding; dashed lines mark the frames kept.</p>${chart}</section>`;
}

function jsonBlock(value: unknown): string {
  return `<pre>${escapeHtml(JSON.stringify(value, null, 2))}</pre>`;
}

function pipelineSection(pipeline: PipelineInspection, at: number, data: InspectionData, store: PictureStore): string {
  const { summary } = pipeline;
  const color = pipelinePalette[at % pipelinePalette.length]!;
  const parts: string[] = [];
  parts.push(
    `<section class="pipeline" id="${pipelineAnchor(summary.name, at)}"><h2>${escapeHtml(summary.name)}<span class="badge" style="background:${color}">${escapeHtml(summary.encoder)}</span></h2>`,
  );
  if (summary.description) parts.push(`<p class="note">${escapeHtml(summary.description)}</p>`);
  if (summary.error !== undefined) {
    parts.push(`<p class="error">This pipeline failed on this input: ${escapeHtml(summary.error)}</p></section>`);
    return parts.join('');
  }
  const share =
    summary.budget > 0
      ? ` (${((100 * summary.totalTokens) / summary.budget).toFixed(0)} % of the budget ${summary.budget})`
      : '';
  parts.push(
    `<p><b>${summary.totalTokens}</b> visual tokens${escapeHtml(share)} from <b>${summary.frames.length}</b> decoded frames; ${summary.segments.length} segments.</p>`,
  );
  if (summary.approximation) parts.push(`<p class="approximation">${escapeHtml(summary.approximation)}</p>`);
  // Frames used.
  const used = new Set(summary.segments.flatMap((segment) => segment.frameIndices));
  parts.push(`<h3>Frames used</h3><div class="strip">`);
  for (const frame of pipeline.frames) {
    const image = frameInBox(frame, data.aspect, 64, 64);
    const style = used.has(frame.index) ? '' : ' style="opacity:0.45"';
    parts.push(
      `<img src="${store.add(image)}" width="${image.width}" height="${image.height}" alt="frame ${frame.index}" title="${escapeHtml(`frame ${frame.index} @ ${seconds(frame.pts)}${used.has(frame.index) ? '' : ' (decoded, no tokens kept)'}`)}"${style}>`,
    );
  }
  parts.push(`</div>`);
  // Segments.
  const longTable = summary.segments.length > 8;
  parts.push(
    `<h3>Segments</h3>${longTable ? `<details><summary>${summary.segments.length} segments (show the table)</summary>` : ''}<table><tr><th class="number">#</th><th>role</th><th class="number">tokens</th><th class="number">frames</th><th>time</th><th>layout</th></tr>`,
  );
  summary.segments.forEach((segment, index) => {
    const first = segment.timestamps[0];
    const last = segment.timestamps[segment.timestamps.length - 1];
    const time = first === undefined ? '-' : first === last ? seconds(first) : `${seconds(first)} - ${seconds(last!)}`;
    const layout = segment.layout ? `${segment.layout.t}x${segment.layout.h}x${segment.layout.w}` : 'sampled';
    parts.push(
      `<tr><td class="number">${index}</td><td><i style="display:inline-block;width:10px;height:10px;background:${escapeHtml(roleColor(segment.role))}"></i> ${escapeHtml(segment.role)}${segment.isImage ? ' (image)' : ''}</td><td class="number">${segment.count}</td><td class="number">${segment.frameIndices.length}</td><td>${escapeHtml(time)}</td><td>${escapeHtml(layout)}</td></tr>`,
    );
  });
  parts.push(`</table>${longTable ? '</details>' : ''}`);
  // Built images.
  if (pipeline.builtImages.length > 0) {
    parts.push('<h3>Image it built</h3><div class="pictures">');
    for (const built of pipeline.builtImages) {
      const size = fitWithin(built.image, 360);
      const image = resizeImageArea(built.image, size.width, size.height);
      parts.push(
        `<figure><img src="${store.add(image)}" width="${image.width}" height="${image.height}" alt="${escapeHtml(built.label)}" style="image-rendering:auto"><figcaption>${escapeHtml(built.label)} (${built.image.width}x${built.image.height})</figcaption></figure>`,
      );
    }
    parts.push('</div>');
  }
  // What the model is given.
  parts.push('<h3>What the model is given</h3>');
  for (const group of pictureGroups(pipeline)) {
    const first = group[0]!;
    const tokens = group.reduce((sum, entry) => sum + entry.segment.count, 0);
    const all = group.flatMap((entry) => entry.pictures.pictures);
    const total = group.reduce((sum, entry) => sum + entry.pictures.total, 0);
    const chosen = evenlySpread(all.length, maximumPicturesPerGroup).map((at) => all[at]!);
    const shown = chosen.length < total ? `, ${chosen.length} of ${total} pictures shown` : '';
    const segments = group.length > 1 ? `${group.length} segments, ` : '';
    parts.push(
      `<p class="note"><b>${escapeHtml(first.segment.role)}</b> - ${escapeHtml(`${segments}${tokens} tokens${shown}`)}: ${escapeHtml(first.pictures.method)}.</p><div class="pictures">`,
    );
    for (const picture of chosen) {
      const display = picture.wholeFrame
        ? boxSize(data.aspect, 150, 112)
        : fitWithin(picture.image, Math.min(168, Math.max(56, picture.image.width, picture.image.height)));
      parts.push(
        `<figure><img src="${store.add(picture.image)}" width="${display.width}" height="${display.height}" alt="${escapeHtml(picture.label)}"><figcaption>${escapeHtml(picture.label)}</figcaption></figure>`,
      );
    }
    parts.push('</div>');
  }
  // Parameters, notes, timings.
  const timingRows = Object.entries(summary.timings)
    .map(([stage, ms]) => `<tr><td>${escapeHtml(stage)}</td><td class="number">${ms} ms</td></tr>`)
    .join('');
  parts.push(`<h3>Stage times</h3><table>${timingRows}</table>`);
  parts.push(
    `<details><summary>Parameters (resolved for this encoder)</summary>${jsonBlock(summary.params)}</details>`,
  );
  if (summary.geometry !== undefined)
    parts.push(`<details><summary>Encoder geometry</summary>${jsonBlock(summary.geometry)}</details>`);
  const notes = Object.fromEntries(Object.entries(summary.notes).filter(([key]) => !key.endsWith('.approximation')));
  if (Object.keys(notes).length > 0) parts.push(`<details><summary>Stage notes</summary>${jsonBlock(notes)}</details>`);
  if (summary.warnings.length > 0)
    parts.push(
      `<details><summary>Decoder warnings (${summary.warnings.length})</summary>${jsonBlock(summary.warnings)}</details>`,
    );
  parts.push('</section>');
  return parts.join('');
}

function runSection(data: InspectionData, timings: Readonly<Record<string, number>>): string {
  const { summary } = data;
  const rows: [string, string][] = [
    ['input', summary.input],
    ['duration', seconds(summary.probe.duration)],
    ['frames in stream', String(summary.probe.frameCount || 'unknown')],
    ['size', `${summary.probe.width}x${summary.probe.height}`],
    ['encoder', summary.encoder],
    ['question', summary.question ?? '(none)'],
    ['pipelines', summary.pipelines.map((pipeline) => pipeline.name).join(', ')],
    ['generated', summary.generatedAt],
  ];
  const parameterRows = rows
    .map(([key, value]) => `<tr><th>${escapeHtml(key)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('');
  const timingRows = Object.entries(timings)
    .map(([key, ms]) => `<tr><td>${escapeHtml(key)}</td><td class="number">${ms} ms</td></tr>`)
    .join('');
  return `<section id="run"><h2>Run parameters and timings</h2><div class="charts"><table>${parameterRows}</table><table><tr><th>step</th><th class="number">wall time</th></tr>${timingRows}</table></div></section>`;
}

/** The complete HTML page for the collected data. */
export async function renderReportHtml(data: InspectionData, options: RenderReportOptions = {}): Promise<string> {
  const store = new PictureStore();
  const { summary } = data;
  const name = basename(summary.input) || summary.input;
  const navigation = [
    ['timeline', 'Timeline'],
    ['budget', 'Budget'],
    ...(summary.sceneCurves ? [['scenes', 'SceneTilling']] : []),
    ...(summary.questionScores ? [['question-scores', 'Question scores']] : []),
    ...data.pipelines.map((pipeline, at) => [pipelineAnchor(pipeline.summary.name, at), pipeline.summary.name]),
    ['run', 'Run'],
  ]
    .map(([anchor, label]) => `<a href="#${escapeHtml(anchor!)}">${escapeHtml(label!)}</a>`)
    .join('');
  const body = [
    timelineSection(data, store),
    budgetSection(data),
    scenesSection(data),
    questionSection(data),
    ...data.pipelines.map((pipeline, at) => pipelineSection(pipeline, at, data, store)),
  ].join('\n');
  const withPictures = await store.resolve(body, options);
  const timings = options.timings?.() ?? summary.timings;
  const question = summary.question !== undefined ? ` &middot; question: <b>${escapeHtml(summary.question)}</b>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>vidtok inspect: ${escapeHtml(name)}</title>
<style>${reportStyle}</style>
</head>
<body>
<header><h1>vidtok inspect: ${escapeHtml(name)}</h1><p class="meta"><b>${escapeHtml(seconds(summary.probe.duration))}</b>, ${summary.probe.width}x${summary.probe.height}, ${summary.probe.frameCount || '?'} frames &middot; encoder <b>${escapeHtml(summary.encoder)}</b> &middot; ${summary.pipelines.length} pipelines${question}</p></header>
<nav>${navigation}</nav>
<main>
${withPictures}
${runSection(data, timings)}
</main>
<footer>Generated by vidtok inspect at ${escapeHtml(summary.generatedAt)}. Self-contained: every picture is embedded, nothing is fetched.</footer>
</body>
</html>
`;
}

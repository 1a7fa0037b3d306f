/**
 * @file The report's figures as PNG files (`vidtok inspect --png dir`): the timeline (thumbnails over the frame marks of
 * every pipeline and the scene cuts), the token budget bars, SceneTilling's similarity and depth curves with the cuts,
 * and for each pipeline the frames it used, the image it built and the pictures of what the model is given. Same data
 * and colours as the HTML; the shapes carry no text (the HTML has the labels).
 */
import type { RgbImage } from '../core/frame.js';
import { resizeImageArea } from '../encoders/resize-image.js';
import type { InspectFigure, InspectionData } from './inspection-types.js';
import { encodePng } from './png-encode.js';
import { RasterCanvas, type Color } from './raster-canvas.js';
import { parseHexColor, pipelinePalette, roleColor } from './report-style.js';
import { boxSize } from './report-html.js';
import { fitWithin } from './token-images.js';

const grey: Color = [200, 200, 200];
const dark: Color = [40, 40, 40];
const red: Color = [192, 57, 43];

function safeName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'pipeline';
}

/** Images tiled left to right, wrapping at `maxWidth`, with `gap` pixels between them. */
export function tileImages(
  images: readonly RgbImage[],
  options: { readonly maxWidth?: number; readonly gap?: number } = {},
): RgbImage {
  const maxWidth = options.maxWidth ?? 1200;
  const gap = options.gap ?? 4;
  const positions: { x: number; y: number }[] = [];
  let x = gap;
  let y = gap;
  let rowHeight = 0;
  let width = 1;
  for (const image of images) {
    if (x > gap && x + image.width + gap > maxWidth) {
      x = gap;
      y += rowHeight + gap;
      rowHeight = 0;
    }
    positions.push({ x, y });
    x += image.width + gap;
    width = Math.max(width, x);
    rowHeight = Math.max(rowHeight, image.height);
  }
  const canvas = new RasterCanvas(Math.max(1, width), Math.max(1, y + rowHeight + gap));
  images.forEach((image, at) => canvas.drawImage(image, positions[at]!.x, positions[at]!.y));
  return canvas;
}

function timelineFigure(data: InspectionData): RgbImage {
  const width = 1100;
  const left = 20;
  const right = width - 20;
  const duration =
    data.summary.probe.duration > 0
      ? data.summary.probe.duration
      : Math.max(1, ...data.pipelines.flatMap((pipeline) => pipeline.summary.frames.map((frame) => frame.pts)));
  const x = (time: number): number => left + (Math.min(Math.max(time, 0), duration) / duration) * (right - left);
  const thumbSize = boxSize(data.aspect, 96, 72);
  const thumbWidth = thumbSize.width;
  const thumbs = data.timelineFrames.map((frame) => ({
    frame,
    image: resizeImageArea(frame, thumbSize.width, thumbSize.height),
  }));
  const thumbHeight = thumbs[0]?.image.height ?? 54;
  const axisY = thumbHeight + 40;
  const rowHeight = 20;
  const canvas = new RasterCanvas(width, axisY + 16 + data.pipelines.length * rowHeight + 10);
  let nextFree = 0;
  for (const { frame, image } of thumbs) {
    const placed = Math.min(width - thumbWidth - 2, Math.max(nextFree, x(frame.pts) - thumbWidth / 2));
    nextFree = placed + thumbWidth + 4;
    canvas.drawImage(image, placed, 8);
    canvas.line(placed + thumbWidth / 2, 8 + thumbHeight, x(frame.pts), axisY - 4, grey);
  }
  canvas.line(left, axisY, right, axisY, dark);
  for (let second = 0; second <= duration; second += duration > 60 ? 10 : 1)
    canvas.line(x(second), axisY, x(second), axisY + 5, dark);
  data.pipelines.forEach((pipeline, at) => {
    const y = axisY + 16 + at * rowHeight;
    const color = parseHexColor(pipelinePalette[at % pipelinePalette.length]!);
    canvas.line(left, y + 8, right, y + 8, [225, 225, 225]);
    for (const frame of pipeline.summary.frames) canvas.fillRect(x(frame.pts) - 1, y, 3, 16, color);
  });
  for (const time of data.summary.sceneCurves?.cutTimes ?? [])
    canvas.line(x(time), axisY - 4, x(time), canvas.height - 2, red, { thickness: 2, dash: 4 });
  return canvas;
}

function budgetFigure(data: InspectionData): RgbImage {
  const width = 900;
  const left = 10;
  const right = width - 10;
  const rowHeight = 28;
  const canvas = new RasterCanvas(width, data.pipelines.length * rowHeight + 16);
  const maximum = Math.max(
    1,
    ...data.pipelines.map((pipeline) => Math.max(pipeline.summary.budget, pipeline.summary.totalTokens)),
  );
  const x = (value: number): number => left + (value / maximum) * (right - left);
  data.pipelines.forEach((pipeline, at) => {
    const y = 8 + at * rowHeight;
    let offset = 0;
    for (const [role, count] of Object.entries(pipeline.summary.tokensByRole)) {
      canvas.fillRect(x(offset), y + 3, x(offset + count) - x(offset), 18, parseHexColor(roleColor(role)));
      offset += count;
    }
    if (pipeline.summary.budget > 0) canvas.strokeRect(left, y + 1, x(pipeline.summary.budget) - left, 22, dark);
  });
  return canvas;
}

function curvePanel(
  canvas: RasterCanvas,
  top: number,
  height: number,
  times: readonly number[],
  values: readonly number[],
  cuts: readonly number[],
  duration: number,
  color: Color,
): void {
  const left = 30;
  const right = canvas.width - 10;
  const bottom = top + height;
  const minimum = Math.min(0, ...values);
  const maximum = Math.max(...values, minimum + 1e-6);
  const x = (time: number): number => left + (time / duration) * (right - left);
  const y = (value: number): number => bottom - ((value - minimum) / (maximum - minimum)) * height;
  canvas.line(left, bottom, right, bottom, dark);
  canvas.line(left, top, left, bottom, dark);
  for (const time of cuts) canvas.line(x(time), top, x(time), bottom, red, { thickness: 2, dash: 4 });
  for (let i = 1; i < times.length; i++)
    canvas.line(x(times[i - 1]!), y(values[i - 1]!), x(times[i]!), y(values[i]!), color, { thickness: 2 });
  for (let i = 0; i < times.length; i++) canvas.fillRect(x(times[i]!) - 2, y(values[i]!) - 2, 5, 5, color);
}

/** Every figure of the report as a PNG file. */
export function renderReportFigures(data: InspectionData): InspectFigure[] {
  const figures: InspectFigure[] = [];
  const add = (name: string, image: RgbImage): void => {
    figures.push({ name, png: encodePng(image, { level: 6 }) });
  };
  add('timeline.png', timelineFigure(data));
  add('budget.png', budgetFigure(data));
  const curves = data.summary.sceneCurves;
  if (curves !== undefined) {
    const canvas = new RasterCanvas(800, 420);
    const duration = Math.max(data.summary.probe.duration, ...curves.frameTimes, 1e-3);
    curvePanel(canvas, 10, 180, curves.times, curves.similarity, curves.cutTimes, duration, parseHexColor('#4e79a7'));
    curvePanel(canvas, 220, 180, curves.times, curves.depth, curves.cutTimes, duration, parseHexColor('#f28e2b'));
    add('scene-curves.png', canvas);
  }
  const used = new Set<string>();
  data.pipelines.forEach((pipeline) => {
    if (pipeline.summary.error !== undefined) return;
    let base = safeName(pipeline.summary.name);
    while (used.has(base)) base += '_';
    used.add(base);
    if (pipeline.frames.length > 0)
      add(
        `${base}-frames.png`,
        tileImages(
          pipeline.frames.map((frame) => {
            const size = boxSize(data.aspect, 64, 64);
            return resizeImageArea(frame, size.width, size.height);
          }),
        ),
      );
    pipeline.builtImages.forEach((built, at) => {
      const size = fitWithin(built.image, 672);
      add(
        `${base}-built-image${at === 0 ? '' : `-${at + 1}`}.png`,
        resizeImageArea(built.image, size.width, size.height),
      );
    });
    const pictures = pipeline.segmentPictures
      .flatMap((entry) => entry.pictures.pictures)
      .map((picture) => {
        const size = picture.wholeFrame
          ? boxSize(data.aspect, 150, 112)
          : fitWithin(picture.image, Math.min(168, Math.max(56, picture.image.width, picture.image.height)));
        return resizeImageArea(picture.image, size.width, size.height);
      });
    if (pictures.length > 0) add(`${base}-model-input.png`, tileImages(pictures));
  });
  return figures;
}

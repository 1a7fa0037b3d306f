/**
 * @file Inline SVG charts for the inspect report, as strings: a video timeline (thumbnails at their timestamps, one row
 * of frame marks per pipeline, scene boundaries), line charts (SceneTilling similarity and depth with the cut
 * positions) and horizontal stacked bars (tokens per segment role against each pipeline's budget). Every text is
 * escaped; no external resource is referenced (images are data URIs passed in by the caller).
 */
import { escapeHtml } from './html-escape.js';

/** A number for SVG coordinates: at most 2 decimals, no exponent. */
function n(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 100) / 100) : '0';
}

/** "Nice" tick values covering [minimum, maximum] (about `count` of them). */
export function niceTicks(minimum: number, maximum: number, count = 5): number[] {
  if (!Number.isFinite(minimum) || !Number.isFinite(maximum)) return [0];
  if (maximum <= minimum) return [minimum];
  const raw = (maximum - minimum) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= raw) ?? raw;
  const ticks: number[] = [];
  for (let value = Math.ceil(minimum / step) * step; value <= maximum + step * 1e-9; value += step)
    ticks.push(Math.round(value / step) * step);
  return ticks;
}

function tickLabel(value: number): string {
  return Math.abs(value) >= 100 || Number.isInteger(value)
    ? String(Math.round(value))
    : String(Math.round(value * 1000) / 1000);
}

export interface TimelineThumbnail {
  readonly time: number;
  /** A data URI. */
  readonly href: string;
  readonly label: string;
}

export interface TimelineRow {
  readonly label: string;
  readonly color: string;
  /** Timestamps (seconds) of the frames the pipeline used. */
  readonly times: readonly number[];
  /** Timestamps of frames whose tokens reach the model (highlighted), when a subset of `times`. */
  readonly highlighted?: readonly number[];
}

export interface TimelineOptions {
  readonly duration: number;
  readonly thumbnails: readonly TimelineThumbnail[];
  readonly rows: readonly TimelineRow[];
  /** Times of scene boundaries (drawn as dashed lines over every row). */
  readonly boundaries?: readonly number[];
  readonly width?: number;
  /** Thumbnail size in pixels. */
  readonly thumbnailWidth?: number;
  readonly thumbnailHeight?: number;
}

/**
 * The timeline: a time axis, the thumbnails in a strip above it (each centred as near its time as the strip allows,
 * joined to its time by a line), and one row of marks per pipeline.
 */
export function timelineSvg(options: TimelineOptions): string {
  const width = options.width ?? 1100;
  const labelWidth = 130;
  const plotLeft = labelWidth;
  const plotRight = width - 20;
  const duration =
    options.duration > 0
      ? options.duration
      : Math.max(1, ...options.rows.flatMap((row) => row.times), ...options.thumbnails.map((thumb) => thumb.time));
  const x = (time: number): number =>
    plotLeft + (Math.min(Math.max(time, 0), duration) / duration) * (plotRight - plotLeft);
  const thumbWidth = options.thumbnailWidth ?? 96;
  const thumbHeight = options.thumbnailHeight ?? 54;
  const stripTop = 8;
  const leaderBottom = stripTop + thumbHeight + 22;
  const axisY = leaderBottom + 6;
  const rowHeight = 22;
  const rowsTop = axisY + 26;
  const height = rowsTop + options.rows.length * rowHeight + 10;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart timeline" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="timeline">`,
  );
  // Thumbnails: place left to right without overlap, as close to their time as possible.
  const sorted = [...options.thumbnails].sort((a, b) => a.time - b.time);
  let nextFree = plotLeft - thumbWidth / 2;
  const placed = sorted.map((thumb) => {
    const left = Math.max(nextFree, x(thumb.time) - thumbWidth / 2);
    nextFree = left + thumbWidth + 4;
    return { thumb, left };
  });
  const overflow = placed.length > 0 ? placed[placed.length - 1]!.left + thumbWidth - (width - 2) : 0;
  if (overflow > 0) {
    // Shift back from the right so the strip fits, keeping the order and the gaps.
    let limit = width - 2 - thumbWidth;
    for (let i = placed.length - 1; i >= 0; i--) {
      placed[i]!.left = Math.min(placed[i]!.left, limit);
      limit = placed[i]!.left - thumbWidth - 4;
    }
  }
  for (const { thumb, left } of placed) {
    const centre = left + thumbWidth / 2;
    parts.push(
      `<line x1="${n(centre)}" y1="${n(stripTop + thumbHeight)}" x2="${n(x(thumb.time))}" y2="${n(leaderBottom)}" stroke="#9aa" stroke-width="1"/>`,
    );
    parts.push(
      `<image x="${n(left)}" y="${stripTop}" width="${thumbWidth}" height="${thumbHeight}" preserveAspectRatio="none" href="${escapeHtml(thumb.href)}"><title>${escapeHtml(thumb.label)}</title></image>`,
    );
    parts.push(
      `<rect x="${n(left)}" y="${stripTop}" width="${thumbWidth}" height="${thumbHeight}" fill="none" stroke="#456" stroke-width="1"/>`,
    );
  }
  // Axis.
  parts.push(`<line x1="${plotLeft}" y1="${axisY}" x2="${plotRight}" y2="${axisY}" stroke="#333" stroke-width="1"/>`);
  for (const tick of niceTicks(0, duration, 10)) {
    parts.push(`<line x1="${n(x(tick))}" y1="${axisY}" x2="${n(x(tick))}" y2="${axisY + 5}" stroke="#333"/>`);
    parts.push(
      `<text x="${n(x(tick))}" y="${axisY + 17}" text-anchor="middle" class="tick">${escapeHtml(tickLabel(tick))} s</text>`,
    );
  }
  options.rows.forEach((row, at) => {
    const y = rowsTop + at * rowHeight;
    parts.push(
      `<text x="${plotLeft - 8}" y="${y + 14}" text-anchor="end" class="label">${escapeHtml(row.label)}</text>`,
    );
    parts.push(`<line x1="${plotLeft}" y1="${y + 10}" x2="${plotRight}" y2="${y + 10}" stroke="#ddd"/>`);
    const highlighted = new Set(row.highlighted ?? row.times);
    for (const time of row.times) {
      const strong = highlighted.has(time);
      parts.push(
        `<rect x="${n(x(time) - 1.5)}" y="${y + (strong ? 2 : 6)}" width="3" height="${strong ? 16 : 8}" fill="${escapeHtml(row.color)}" opacity="${strong ? 1 : 0.45}"><title>${escapeHtml(`${row.label}: ${time.toFixed(3)} s`)}</title></rect>`,
      );
    }
  });
  for (const boundary of options.boundaries ?? []) {
    parts.push(
      `<line x1="${n(x(boundary))}" y1="${axisY - 4}" x2="${n(x(boundary))}" y2="${height - 4}" stroke="#c0392b" stroke-width="1.5" stroke-dasharray="4 3" class="boundary"><title>${escapeHtml(`scene boundary after ${boundary.toFixed(3)} s`)}</title></line>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

export interface LineSeries {
  readonly name: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
}

export interface LineChartOptions {
  readonly series: readonly LineSeries[];
  readonly width?: number;
  readonly height?: number;
  readonly xLabel: string;
  readonly yLabel?: string;
  /** Vertical marker lines (e.g. scene cuts) at these x values, with labels. */
  readonly markers?: readonly { readonly x: number; readonly label: string }[];
  /** Legend entry of the markers (default `scene cut`). */
  readonly markerLegend?: string;
  readonly xDomain?: readonly [number, number];
  /** Whether the y axis must include 0 (default true). */
  readonly includeZero?: boolean;
}

/** A line chart with dots at the data points, axes with ticks, a legend and optional vertical markers. */
export function lineChartSvg(options: LineChartOptions): string {
  const width = options.width ?? 520;
  const height = options.height ?? 240;
  const left = 52;
  const right = width - 12;
  const top = 26;
  const bottom = height - 36;
  const xs = options.series.flatMap((series) => series.points.map((point) => point[0]));
  const ys = options.series.flatMap((series) => series.points.map((point) => point[1])).filter(Number.isFinite);
  const xMinimum = options.xDomain?.[0] ?? Math.min(...xs, 0);
  const xMaximum = options.xDomain?.[1] ?? Math.max(...xs, xMinimum + 1);
  const zero = options.includeZero === false ? [] : [0];
  let yMinimum = Math.min(...ys, ...zero);
  let yMaximum = Math.max(...ys, ...zero);
  if (yMaximum === yMinimum) yMaximum = yMinimum + 1;
  const margin = (yMaximum - yMinimum) * 0.05;
  yMinimum -= yMinimum < 0 || options.includeZero === false ? margin : 0;
  yMaximum += margin;
  const x = (value: number): number => left + ((value - xMinimum) / (xMaximum - xMinimum || 1)) * (right - left);
  const y = (value: number): number => bottom - ((value - yMinimum) / (yMaximum - yMinimum)) * (bottom - top);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart line-chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(options.series.map((series) => series.name).join(', '))}">`,
  );
  for (const tick of niceTicks(yMinimum, yMaximum, 5)) {
    parts.push(`<line x1="${left}" y1="${n(y(tick))}" x2="${right}" y2="${n(y(tick))}" stroke="#eee"/>`);
    parts.push(
      `<text x="${left - 6}" y="${n(y(tick) + 4)}" text-anchor="end" class="tick">${escapeHtml(tickLabel(tick))}</text>`,
    );
  }
  for (const tick of niceTicks(xMinimum, xMaximum, 8)) {
    parts.push(`<line x1="${n(x(tick))}" y1="${bottom}" x2="${n(x(tick))}" y2="${bottom + 4}" stroke="#333"/>`);
    parts.push(
      `<text x="${n(x(tick))}" y="${bottom + 16}" text-anchor="middle" class="tick">${escapeHtml(tickLabel(tick))}</text>`,
    );
  }
  parts.push(
    `<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#333"/><line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#333"/>`,
  );
  if (yMinimum < 0 && yMaximum > 0)
    parts.push(
      `<line x1="${left}" y1="${n(y(0))}" x2="${right}" y2="${n(y(0))}" stroke="#999" stroke-dasharray="2 2"/>`,
    );
  for (const marker of options.markers ?? []) {
    parts.push(
      `<line x1="${n(x(marker.x))}" y1="${top}" x2="${n(x(marker.x))}" y2="${bottom}" stroke="#c0392b" stroke-width="1.5" stroke-dasharray="4 3" class="marker"><title>${escapeHtml(marker.label)}</title></line>`,
    );
  }
  for (const series of options.series) {
    const points = series.points.filter((point) => Number.isFinite(point[1]));
    if (points.length > 1)
      parts.push(
        `<polyline fill="none" stroke="${escapeHtml(series.color)}" stroke-width="2" points="${points.map((point) => `${n(x(point[0]))},${n(y(point[1]))}`).join(' ')}" class="series"/>`,
      );
    for (const point of points) {
      parts.push(
        `<circle cx="${n(x(point[0]))}" cy="${n(y(point[1]))}" r="2.5" fill="${escapeHtml(series.color)}"><title>${escapeHtml(`${series.name}: ${point[1].toFixed(4)} at ${point[0].toFixed(2)}`)}</title></circle>`,
      );
    }
  }
  let legendX = left;
  for (const series of options.series) {
    parts.push(
      `<rect x="${legendX}" y="8" width="12" height="4" fill="${escapeHtml(series.color)}"/><text x="${legendX + 16}" y="14" class="label">${escapeHtml(series.name)}</text>`,
    );
    legendX += 24 + series.name.length * 7;
  }
  if ((options.markers ?? []).length > 0)
    parts.push(
      `<line x1="${legendX}" y1="10" x2="${legendX + 12}" y2="10" stroke="#c0392b" stroke-width="1.5" stroke-dasharray="4 3"/><text x="${legendX + 16}" y="14" class="label">${escapeHtml(options.markerLegend ?? 'scene cut')}</text>`,
    );
  parts.push(
    `<text x="${n((left + right) / 2)}" y="${height - 4}" text-anchor="middle" class="label">${escapeHtml(options.xLabel)}</text>`,
  );
  if (options.yLabel)
    parts.push(
      `<text x="12" y="${n((top + bottom) / 2)}" text-anchor="middle" transform="rotate(-90 12 ${n((top + bottom) / 2)})" class="label">${escapeHtml(options.yLabel)}</text>`,
    );
  parts.push('</svg>');
  return parts.join('');
}

export interface BarPart {
  readonly name: string;
  readonly value: number;
  readonly color: string;
}

export interface BarRow {
  readonly label: string;
  readonly budget: number;
  readonly parts: readonly BarPart[];
}

/**
 * Horizontal stacked bars on one shared scale: each row's parts (tokens per role) end to end, its budget as an
 * outlined box, the total and the share of the budget written after the bar.
 */
export function budgetBarsSvg(rows: readonly BarRow[], options: { readonly width?: number } = {}): string {
  const width = options.width ?? 1100;
  const left = 130;
  const right = width - 170;
  const rowHeight = 30;
  const top = 8;
  const height = top + rows.length * rowHeight + 28;
  const maximum = Math.max(
    1,
    ...rows.map((row) =>
      Math.max(
        row.budget,
        row.parts.reduce((sum, part) => sum + part.value, 0),
      ),
    ),
  );
  const x = (value: number): number => left + (value / maximum) * (right - left);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart budget-bars" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="tokens against budget">`,
  );
  rows.forEach((row, at) => {
    const y = top + at * rowHeight;
    const total = row.parts.reduce((sum, part) => sum + part.value, 0);
    out.push(`<text x="${left - 8}" y="${y + 17}" text-anchor="end" class="label">${escapeHtml(row.label)}</text>`);
    let offset = 0;
    for (const part of row.parts) {
      if (part.value <= 0) continue;
      out.push(
        `<rect x="${n(x(offset))}" y="${y + 4}" width="${n(x(offset + part.value) - x(offset))}" height="18" fill="${escapeHtml(part.color)}" class="bar"><title>${escapeHtml(`${row.label}: ${part.name} ${part.value} tokens`)}</title></rect>`,
      );
      offset += part.value;
    }
    out.push(
      `<rect x="${left}" y="${y + 2}" width="${n(x(row.budget) - left)}" height="22" fill="none" stroke="#333" stroke-dasharray="3 2"><title>${escapeHtml(`budget ${row.budget}`)}</title></rect>`,
    );
    const share = row.budget > 0 ? ` (${((100 * total) / row.budget).toFixed(0)} % of ${row.budget})` : '';
    out.push(
      `<text x="${n(Math.max(x(total), x(row.budget)) + 6)}" y="${y + 17}" class="label">${escapeHtml(`${total}${share}`)}</text>`,
    );
  });
  const axisY = top + rows.length * rowHeight + 4;
  out.push(`<line x1="${left}" y1="${axisY}" x2="${right}" y2="${axisY}" stroke="#333"/>`);
  for (const tick of niceTicks(0, maximum, 8)) {
    out.push(
      `<line x1="${n(x(tick))}" y1="${axisY}" x2="${n(x(tick))}" y2="${axisY + 4}" stroke="#333"/><text x="${n(x(tick))}" y="${axisY + 16}" text-anchor="middle" class="tick">${escapeHtml(tickLabel(tick))}</text>`,
    );
  }
  out.push('</svg>');
  return out.join('');
}

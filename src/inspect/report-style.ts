/**
 * @file Colours and the inline stylesheet of the inspect report (system fonts only, nothing fetched).
 */

/** Colour of each visual-segment role, shared by the HTML bars, the legend and the PNG figures. */
export const roleColors: Readonly<Record<string, string>> = {
  frames: '#4e79a7',
  slow: '#f28e2b',
  fast: '#59a14f',
  thumbnail: '#e15759',
  sampled: '#76b7b2',
  grid: '#edc948',
  memory: '#b07aa1',
  scene: '#ff9da7',
};

/** Colour of the n-th pipeline on the timeline. */
export const pipelinePalette: readonly string[] = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#b07aa1',
  '#9c755f',
  '#edc948',
  '#bab0ac',
  '#ff9da7',
];

export function roleColor(role: string): string {
  return roleColors[role] ?? '#888888';
}

/** `#rrggbb` as an RGB triple. */
export function parseHexColor(color: string): [number, number, number] {
  const match = /^#([0-9a-f]{6})$/i.exec(color);
  if (match === null) return [136, 136, 136];
  const value = Number.parseInt(match[1]!, 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

export const reportStyle = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; color: #1d2530; background: #f4f6f8; }
header { background: #1d2a38; color: #fff; padding: 18px 28px 14px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header .meta { margin: 0; color: #c9d4df; }
header .meta b { color: #fff; font-weight: 600; }
nav { padding: 8px 28px; background: #e6ebf0; border-bottom: 1px solid #d0d8e0; font-size: 13px; }
nav a { margin-right: 14px; color: #1f5e95; text-decoration: none; }
main { padding: 8px 28px 40px; max-width: 1180px; }
section { background: #fff; border: 1px solid #dde3e9; border-radius: 6px; padding: 14px 18px; margin: 16px 0; }
section h2 { margin: 0 0 8px; font-size: 18px; }
section h3 { margin: 14px 0 6px; font-size: 15px; }
p.note { color: #5b6875; margin: 4px 0 8px; font-size: 13px; }
.chart text { font-size: 11px; fill: #333; font-family: inherit; }
.chart text.label { font-size: 12px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
.legend span { display: inline-block; margin-right: 12px; font-size: 12px; }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 4px; vertical-align: -2px; }
table { border-collapse: collapse; font-size: 13px; margin: 6px 0; }
th, td { border-bottom: 1px solid #e3e8ed; padding: 3px 10px 3px 0; text-align: left; vertical-align: top; }
td.number, th.number { text-align: right; padding-right: 14px; font-variant-numeric: tabular-nums; }
.strip { display: flex; flex-wrap: wrap; gap: 3px; margin: 6px 0; }
.strip img { display: block; border: 1px solid #c8d0d8; }
.pictures { display: flex; flex-wrap: wrap; gap: 10px; margin: 6px 0 10px; }
figure { margin: 0; max-width: 170px; }
figure img { display: block; border: 1px solid #c8d0d8; image-rendering: pixelated; background: #000; }
figcaption { font-size: 11px; color: #4c5965; max-width: 240px; }
.error { color: #a61b1b; font-weight: 600; }
.approximation { background: #fff7e0; border-left: 3px solid #e0a800; padding: 4px 8px; font-size: 12px; }
details { margin: 6px 0; }
summary { cursor: pointer; color: #1f5e95; }
pre { background: #f4f6f8; padding: 8px; overflow-x: auto; font-size: 12px; max-height: 320px; }
.badge { display: inline-block; padding: 0 6px; border-radius: 9px; color: #fff; font-size: 11px; margin-left: 6px; vertical-align: 2px; }
footer { color: #6a7682; font-size: 12px; padding: 0 28px 24px; }
`;

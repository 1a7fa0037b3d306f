/**
 * @file Benchmark of `vidtok inspect`: the report of every built-in pipeline on a 10 s clip against the baseline of
 * running the same pipelines plainly (`runPipeline`, no recording, no rendering), measured in the same run. Prints
 * the wall times, the rendering share and the report's size.
 */
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listBuiltInPipelines } from '../src/graph/pipeline-registry.js';
import { inspectVideo } from '../src/inspect/inspect-video.js';
import { runPipeline } from '../src/pipeline/run-pipeline.js';

const sharedDirectory =
  process.env.VIDTOK_SHARED ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared');

export async function run(): Promise<void> {
  const clip = join(sharedDirectory, 'videos', 'yoga.mp4');
  const pipelines = await listBuiltInPipelines();
  const baselineStarted = performance.now();
  for (const pipeline of pipelines) await runPipeline(clip, { pipeline });
  const baseline = performance.now() - baselineStarted;
  const inspectStarted = performance.now();
  const result = await inspectVideo(clip, { pipelines });
  const inspect = performance.now() - inspectStarted;
  const figuresStarted = performance.now();
  const withFigures = await inspectVideo(clip, { pipelines, figures: true });
  const figuresTime = performance.now() - figuresStarted;
  const figureBytes = withFigures.figures.reduce((sum, figure) => sum + figure.png.length, 0);
  const rows = [
    ['plain runPipeline x7 (baseline)', `${(baseline / 1000).toFixed(1)} s`, '-', '-'],
    [
      'inspectVideo, HTML only',
      `${(inspect / 1000).toFixed(1)} s`,
      `${((result.summary.timings.render ?? 0) / 1000).toFixed(1)} s`,
      `${(Buffer.byteLength(result.html) / 1024).toFixed(0)} KiB HTML`,
    ],
    [
      'inspectVideo, HTML + PNG figures',
      `${(figuresTime / 1000).toFixed(1)} s`,
      `${((withFigures.summary.timings.render ?? 0) / 1000).toFixed(1)} s`,
      `${withFigures.figures.length} PNGs, ${(figureBytes / 1024).toFixed(0)} KiB`,
    ],
  ];
  process.stdout.write(`yoga.mp4 (10 s, 568x320), ${pipelines.length} built-in pipelines, pixels encoder\n\n`);
  process.stdout.write('| run | wall time | of which rendering | output |\n|---|---|---|---|\n');
  for (const row of rows) process.stdout.write(`| ${row.join(' | ')} |\n`);
}

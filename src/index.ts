/**
 * @file The light entry point `vidtok`: probing, frame extraction, strategies, the stage graph and pipelines, the
 * pixels encoder, model-family geometry and prompts, caption output, the golden runner and the inspect report. It
 * loads no ONNX runtime, no Redis client and no model hub; those live behind subpath entry points:
 * `vidtok/runtime` (src/runtime/index.ts), `vidtok/uses` (ask and caption, src/uses/index.ts), `vidtok/hub`
 * (src/hub/index.ts), `vidtok/jobs` (src/jobs/index.ts), `vidtok/narration` (src/narration/index.ts) and
 * `vidtok/serve` (src/serve/index.ts). A model encoder spec given to `runPipeline` loads the runtime on demand.
 *
 * @example
 * import { probe, extractFrames, runPipeline } from 'vidtok';
 * const info = await probe('clip.mp4');
 * const stream = await runPipeline('clip.mp4', { pipeline: 'slowfast-llava' });
 */
export * from './errors/index.js';
export type * from './core/frame.js';
export * from './core/feature-grid.js';
export * from './core/token-stream.js';
export type * from './core/encoder.js';
export * from './numeric/rounding.js';
export * from './sampling/frame-indices.js';
export * from './golden/npy.js';
export * from './ingest/index.js';
export * from './strategies/index.js';
export * from './encoders/index.js';
export * from './pipeline/index.js';
export * from './models/index.js';
export { runGoldenCase, runGoldenDirectory } from './golden/run-golden.js';
export type { GoldenCaseResult, GoldenRunOptions, GoldenRunResult } from './golden/run-golden.js';
export * from './output/index.js';
export { collectInspection, encodePng, inspectVideo, renderReportFigures, renderReportHtml } from './inspect/index.js';
export type {
  InspectFigure,
  InspectSummary,
  InspectVideoOptions,
  InspectVideoResult,
  PipelineSummary,
} from './inspect/index.js';

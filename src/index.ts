/**
 * @file The public programmatic API of vidtok: everything the CLI does is available from here.
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
export * from './runtime/index.js';
export * from './models/index.js';
export * from './hub/index.js';
export { runGoldenCase, runGoldenDirectory } from './golden/run-golden.js';
export type { GoldenCaseResult, GoldenRunOptions, GoldenRunResult } from './golden/run-golden.js';
export * from './jobs/index.js';
export * from './output/index.js';
export * from './uses/index.js';
export * from './narration/index.js';
export { startServer, type ServeOptions, type VidtokServer } from './serve/index.js';
export { collectInspection, encodePng, inspectVideo, renderReportFigures, renderReportHtml } from './inspect/index.js';
export type { InspectFigure, InspectSummary, InspectVideoOptions, InspectVideoResult, PipelineSummary } from './inspect/index.js';

/**
 * @file The ingest barrel: ffmpeg binaries, probing, frame sources and plans, live buffering, writing frames.
 */
export {
  resolveBinaries,
  resetBinaryCache,
  binaryVersion,
  findBinary,
  type BinaryInfo,
  type BinarySource,
  type ResolvedBinaries,
} from './binaries.js';
export { activeChildProcessIds } from './ffmpeg-adapter.js';
export { classifyInput, isLiveInput, type InputKind, type InputSource } from './input-source.js';
export { defaultIngestLimits, resolveLimits, checkLimits, type IngestLimits } from './limits.js';
export type { ProbeResult, FrameTimeline } from './probe-types.js';
export { probe, readTimeline, type ProbeOptions } from './probe.js';
export type { IngestWarning } from './ffmpeg-log.js';
export {
  planFile,
  planLive,
  defaultSceneThreshold,
  type DecodePlan,
  type DecodeJob,
  type FrameSelection,
  type ResolvedPlan,
} from './decode-plan.js';
export { buildDecodeArguments, resizeFilters, type ResizePolicy } from './decode-job.js';
export { openFrames, type FrameRequest, type FrameSource } from './frame-source.js';
export { extractFrames, type ExtractResult } from './extract-frames.js';
export { writeFrames, frameFileName, type WriteFramesOptions, type FrameIndexEntry } from './frame-writer.js';
export { writeContactSheet, type ContactSheetOptions } from './contact-sheet.js';
export { DropOldestBuffer } from './live-buffer.js';
export { normalizeFrame, type NormalizeOptions } from './frame-normalize.js';

/**
 * @file Where a pipeline run gets its frames: `probe` and `openFrames` of src/ingest (ffmpeg), or any other provider
 * with the same shape (tests with synthetic frames, frames already in memory).
 */
import type { VideoFrame } from '../core/frame.js';
import { openFrames, probe, type IngestWarning } from '../ingest/index.js';
import type { FrameIndexRule } from '../sampling/frame-indices.js';

/** The fields of a probe result a pipeline run uses (src/ingest's ProbeResult has them all). */
export interface ProbeSummary {
  readonly input: string;
  /** Seconds; 0 when unknown. */
  readonly duration: number;
  /** Frames in the stream; 0 when unknown. */
  readonly frameCount: number;
  readonly width: number;
  readonly height: number;
}

/** The subset of ingest's FrameRequest a pipeline builds. */
export interface PipelineFrameRequest {
  readonly count?: number;
  readonly rule?: FrameIndexRule;
  readonly fps?: number;
  /** Timestamps in seconds: the frame shown at each time (ingest's `at`). */
  readonly at?: readonly number[];
  readonly minFrames?: number;
  readonly maxFrames?: number;
  readonly scenes?: boolean;
  readonly sceneThreshold?: number;
  readonly start?: number;
  readonly end?: number;
  readonly size: { readonly width: number; readonly height: number };
  readonly resize: 'squash' | 'fit' | 'crop';
  readonly signal?: AbortSignal;
  /** Decoder warnings (corrupt data, truncation), one call each. */
  readonly onWarning?: (warning: { readonly kind: string; readonly message: string }) => void;
}

export interface FrameProvider {
  probe(input: string, options: { readonly signal?: AbortSignal }): Promise<ProbeSummary>;
  /** Frames in presentation order; ending the iteration early (return/throw) must stop the decoder. */
  openFrames(input: string, request: PipelineFrameRequest): AsyncIterable<VideoFrame>;
}

/** The ffmpeg-backed provider of src/ingest. */
export const ingestFrameProvider: FrameProvider = {
  probe(input, options) {
    return probe(input, options.signal ? { signal: options.signal } : {});
  },
  openFrames(input, request) {
    const { onWarning, ...rest } = request;
    return openFrames(input, {
      ...rest,
      ...(onWarning ? { onWarning: (warning: IngestWarning) => onWarning(warning) } : {}),
    });
  },
};

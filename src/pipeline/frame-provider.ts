/**
 * @file Where a pipeline run gets its frames: `probe` and `openFrames` of src/ingest (loaded on first use), or any
 * other provider with the same shape (tests, live sources, frames already in memory).
 */
import type { VideoFrame } from '../core/frame.js';
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
  readonly [key: string]: unknown;
}

/** The subset of ingest's FrameRequest a pipeline builds. */
export interface PipelineFrameRequest {
  readonly count?: number;
  readonly rule?: FrameIndexRule;
  readonly fps?: number;
  readonly minFrames?: number;
  readonly maxFrames?: number;
  readonly scenes?: boolean;
  readonly sceneThreshold?: number;
  readonly start?: number;
  readonly end?: number;
  readonly size: { readonly width: number; readonly height: number };
  readonly resize: 'squash' | 'fit' | 'crop';
  readonly signal?: AbortSignal;
}

export interface FrameProvider {
  probe(input: string, options: { readonly signal?: AbortSignal }): Promise<ProbeSummary>;
  /** Frames in presentation order; ending the iteration early (return/throw) must stop the decoder. */
  openFrames(input: string, request: PipelineFrameRequest): AsyncIterable<VideoFrame>;
}

interface IngestModule {
  probe(input: string, options?: { signal?: AbortSignal }): Promise<ProbeSummary>;
  openFrames(input: string, request: PipelineFrameRequest): AsyncIterable<VideoFrame>;
}

let ingest: Promise<IngestModule> | undefined;

/** The ffmpeg-backed provider of src/ingest. */
export const ingestFrameProvider: FrameProvider = {
  async probe(input, options) {
    const module = await loadIngest();
    return module.probe(input, options.signal ? { signal: options.signal } : {});
  },
  openFrames(input, request) {
    return {
      async *[Symbol.asyncIterator]() {
        const module = await loadIngest();
        yield* module.openFrames(input, request);
      },
    };
  },
};

function loadIngest(): Promise<IngestModule> {
  // A computed specifier keeps the graph layer compilable on its own; src/ingest/index.ts provides these exports.
  const specifier = '../ingest/index.js';
  ingest ??= import(specifier) as Promise<IngestModule>;
  return ingest;
}

/**
 * @file The injected processor contract between the batch machinery (local p-queue or BullMQ workers) and the
 * captioning pipeline (ingest + strategies + VLM runtime). The batch code never decodes or infers itself: it hands
 * a `CaptionTask` to the processor, which does the heavy work out of process and resolves with the captions.
 */
import type { FixedChunking } from './chunk-plan.js';

/** One captioned chunk. Times are seconds from the start of the video. */
export interface CaptionChunk {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** How a video is cut: fixed chunks (plan them with `planChunks(duration, chunking)` once the duration is known) or scenes. */
export type ChunkingSpec = ({ readonly mode: 'fixed' } & FixedChunking) | { readonly mode: 'scenes' };

/** One video to caption. */
export interface CaptionTask {
  /** Absolute path of the video. */
  readonly input: string;
  /** The job key (content hash + pipeline + model + parameters). */
  readonly key: string;
  readonly chunking: ChunkingSpec;
  /** Pipeline, model and free parameters (prompt, fps, ...) exactly as they went into the key. */
  readonly keyParameters: JobKeyParameters;
}

/** What went into the job key besides the file content. */
export interface JobKeyParameters {
  /** Pipeline name or file identity, including its version. */
  readonly pipeline: string;
  /** Model id or directory identity, including its revision. */
  readonly model: string;
  /** Everything else that changes the output (prompt, fps, chunking, max tokens, ...). JSON-serialisable. */
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** The processor's answer for one video. */
export interface CaptionResult {
  readonly chunks: readonly CaptionChunk[];
  /** Deterministic details written into the JSON output (no wall-clock times, so reruns write identical files). */
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface CaptionProcessorContext {
  /** Aborted when the batch is cancelled or the worker shuts down; the processor must stop its child processes. */
  readonly signal: AbortSignal;
  /** Call once per finished chunk, for progress. */
  readonly onChunk?: (chunk: CaptionChunk) => void;
}

/**
 * Captions one video. Must not block the event loop (inference runs in a child process) so BullMQ job locks keep
 * renewing. Throw a VidtokError for bad input; its `retryable` flag decides between retry and fail in queue mode.
 */
export type CaptionProcessor = (task: CaptionTask, context: CaptionProcessorContext) => Promise<CaptionResult>;

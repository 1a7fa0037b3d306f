/**
 * @file Runs one video end to end, the same way in local and queue mode: skip when the done-marker is valid, call
 * the processor, write every output atomically under names derived from the video's name (done-marker.ts), then
 * write the done-marker. Safe to
 * re-execute (at-least-once delivery): a second run overwrites the same files with the same bytes.
 */
import { mkdir } from 'node:fs/promises';
import { AbortedError, VidtokError } from '../errors/index.js';
import { writeCaptionOutputs } from '../output/write-caption-outputs.js';
import type { CaptionFormat } from '../output/caption-format.js';
import { assertCueTimes } from '../output/timestamp.js';
import type { BatchItem } from './batch-summary.js';
import type { CaptionChunk, CaptionProcessor, ChunkingSpec, JobKeyParameters } from './caption-processor.js';
import { outputBasePath, readValidDoneMarker, writeDoneMarker } from './done-marker.js';

/** Everything a worker needs to run one video (serialisable: this is the BullMQ job data). */
export interface CaptionJobData {
  readonly input: string;
  readonly key: string;
  readonly contentSha256: string;
  readonly outDir: string;
  readonly formats: readonly CaptionFormat[];
  readonly chunking: ChunkingSpec;
  readonly keyParameters: JobKeyParameters;
  /** Another input of the batch has the same stem: outputs get the content hash in their names (done-marker.ts). */
  readonly collides?: boolean;
}

export interface CaptionJobOptions {
  readonly processor: CaptionProcessor;
  readonly signal: AbortSignal;
  readonly onChunk?: (chunk: CaptionChunk) => void;
}

/** Runs the job; resolves to a `done` or `skipped` item and throws on failure (the caller reports it). */
export async function executeCaptionJob(data: CaptionJobData, options: CaptionJobOptions): Promise<BatchItem> {
  const basePath = await outputBasePath(data.outDir, data.input, {
    contentSha256: data.contentSha256,
    ...(data.collides ? { collides: true } : {}),
  });
  const existing = await readValidDoneMarker(basePath, data.key, data.formats);
  if (existing) return { input: data.input, status: 'skipped', key: data.key, outputs: existing };
  if (options.signal.aborted) throw new AbortedError(`caption ${data.input}`, { cause: options.signal.reason });
  const result = await options.processor(
    { input: data.input, key: data.key, chunking: data.chunking, keyParameters: data.keyParameters },
    { signal: options.signal, onChunk: options.onChunk },
  );
  if (options.signal.aborted) throw new AbortedError(`caption ${data.input}`, { cause: options.signal.reason });
  for (const chunk of result.chunks) assertCueTimes(chunk.start, chunk.end, data.input);
  await mkdir(data.outDir, { recursive: true });
  const written = await writeCaptionOutputs(
    { input: data.input, key: data.key, cues: result.chunks, metadata: result.metadata },
    basePath,
    data.formats,
    { signal: options.signal },
  );
  await writeDoneMarker(basePath, data, { signal: options.signal });
  return { input: data.input, status: 'done', key: data.key, outputs: written.map((output) => output.path) };
}

/** A failed item from any thrown value: one-line reason, the VidtokError code when there is one. */
export function failedItem(input: string, error: unknown, key?: string): BatchItem {
  const message = error instanceof Error ? error.message : String(error);
  const reason = message.split('\n')[0] ?? 'unknown error';
  return {
    input,
    status: 'failed',
    reason,
    ...(key === undefined ? {} : { key }),
    ...(VidtokError.isInstance(error) ? { code: error.code } : {}),
  };
}

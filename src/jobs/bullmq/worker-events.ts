/**
 * @file Events a queue worker emits (`vidtok worker`): jobs starting and ending, chunk progress, worker
 * recreations by the watchdog, stalled jobs taken back, and warnings (Redis errors).
 */
import type { BatchItem } from '../batch-summary.js';
import type { CaptionChunk } from '../caption-processor.js';

export type WorkerEvent =
  | { readonly type: 'worker-ready'; readonly queue: string }
  | { readonly type: 'job-start'; readonly jobId: string; readonly input: string; readonly attempt: number }
  | { readonly type: 'chunk'; readonly jobId: string; readonly input: string; readonly chunk: CaptionChunk }
  | { readonly type: 'job-end'; readonly jobId: string; readonly item: BatchItem }
  | { readonly type: 'job-stalled'; readonly jobId: string }
  | { readonly type: 'worker-recreated'; readonly reason: string }
  | { readonly type: 'warning'; readonly message: string };

export type WorkerEventListener = (event: WorkerEvent) => void;

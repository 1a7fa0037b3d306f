/**
 * @file Local batch mode: captions many videos in this process with a bounded p-queue (`--concurrency`). Each video
 * is hashed (streamed) for its job key, skipped when its done-marker is valid, otherwise handed to the processor and
 * written atomically. One bad video never stops the batch: it becomes a failed item with its reason. Cancelling the
 * signal stops starting new videos, aborts the running ones and rejects with AbortedError.
 */
import { resolve } from 'node:path';
import PQueue from 'p-queue';
import { AbortedError } from '../errors/index.js';
import type { CaptionProcessor } from './caption-processor.js';
import { executeCaptionJob, failedItem } from './caption-job.js';
import {
  keyParametersWithChunking,
  validateBatchOptions,
  validateConcurrency,
  type BatchOptions,
} from './batch-options.js';
import { summarizeBatch, type BatchItem, type BatchSummary } from './batch-summary.js';
import { expandInputs } from './input-list.js';
import { collidingInputs } from './done-marker.js';
import { computeJobKey } from './job-key.js';

export interface LocalBatchOptions extends BatchOptions {
  readonly processor: CaptionProcessor;
  /** How many videos run at the same time (default 1). */
  readonly concurrency?: number;
}

/** Runs the batch; resolves with the summary (its exitCode says whether anything failed). */
export async function runLocalBatch(inputs: readonly string[], options: LocalBatchOptions): Promise<BatchSummary> {
  validateBatchOptions(options);
  const concurrency = options.concurrency ?? 1;
  validateConcurrency(concurrency);
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) throw new AbortedError('caption batch', { cause: options.signal.reason });
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const signal = controller.signal;
  const emit = options.onEvent ?? ((): void => undefined);
  try {
    const expanded = await expandInputs(inputs, { recursive: options.recursive, signal, cwd: options.cwd });
    const items: BatchItem[] = expanded.failures.map((failure) => ({
      input: failure.input,
      status: 'failed' as const,
      reason: failure.reason,
      code: 'INPUT_NOT_FOUND',
    }));
    emit({ type: 'batch-start', total: expanded.files.length + items.length });
    for (const item of items) emit({ type: 'item-end', item });
    const outDir = resolve(options.cwd ?? process.cwd(), options.outDir);
    const keyParameters = keyParametersWithChunking(options);
    const results = new Map<string, BatchItem>();
    const queue = new PQueue({ concurrency });
    const colliding = collidingInputs(expanded.files);
    for (const input of expanded.files) {
      void queue.add(async () => {
        if (signal.aborted) return;
        let key: string | undefined;
        let item: BatchItem;
        try {
          const computed = await computeJobKey(input, keyParameters, { signal });
          key = computed.key;
          emit({ type: 'item-start', input, key });
          item = await executeCaptionJob(
            {
              input,
              key,
              contentSha256: computed.contentSha256,
              outDir,
              formats: options.formats,
              chunking: options.chunking,
              keyParameters,
              ...(colliding.has(input) ? { collides: true } : {}),
            },
            { processor: options.processor, signal, onChunk: (chunk) => emit({ type: 'chunk', input, chunk }) },
          );
        } catch (error) {
          if (signal.aborted) return;
          item = failedItem(input, error, key);
        }
        results.set(input, item);
        emit({ type: 'item-end', item });
      });
    }
    await queue.onIdle();
    if (signal.aborted) throw new AbortedError('caption batch', { cause: signal.reason });
    for (const input of expanded.files) {
      const item = results.get(input);
      if (item) items.push(item);
    }
    const summary = summarizeBatch(items);
    emit({ type: 'batch-end', summary });
    return summary;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * @file The result of a batch: one entry per input (done, skipped because already done, failed with its reason, or
 * queued when submitted with --detach), counts, and the exit code (`partialFailure` when anything failed).
 */
import { ExitCode, type ExitCodeValue } from '../errors/index.js';

export type BatchItemStatus = 'done' | 'skipped' | 'failed' | 'queued';

export interface BatchItem {
  readonly input: string;
  readonly status: BatchItemStatus;
  readonly key?: string;
  /** Files written (done) or found (skipped). */
  readonly outputs?: readonly string[];
  /** One line, for failed items. */
  readonly reason?: string;
  /** The VidtokError code of a failure, when there was one. */
  readonly code?: string;
}

export interface BatchSummary {
  readonly items: readonly BatchItem[];
  readonly total: number;
  readonly done: number;
  readonly skipped: number;
  readonly failed: number;
  readonly queued: number;
  /** `ExitCode.ok`, or `ExitCode.partialFailure` when at least one item failed. */
  readonly exitCode: ExitCodeValue;
}

/** Counts items and picks the exit code. */
export function summarizeBatch(items: readonly BatchItem[]): BatchSummary {
  const count = (status: BatchItemStatus): number => items.filter((item) => item.status === status).length;
  const failed = count('failed');
  return {
    items,
    total: items.length,
    done: count('done'),
    skipped: count('skipped'),
    failed,
    queued: count('queued'),
    exitCode: failed > 0 ? ExitCode.partialFailure : ExitCode.ok,
  };
}

/** Human-readable summary: one count line, then one line per failed item with its reason. */
export function formatBatchSummary(summary: BatchSummary): string {
  const parts = [`${summary.done} done`, `${summary.skipped} skipped`, `${summary.failed} failed`];
  if (summary.queued > 0) parts.push(`${summary.queued} queued`);
  const lines = [`${summary.total} videos: ${parts.join(', ')}`];
  for (const item of summary.items) {
    if (item.status === 'failed') lines.push(`  failed: ${item.input}: ${item.reason ?? 'unknown error'}`);
  }
  return `${lines.join('\n')}\n`;
}

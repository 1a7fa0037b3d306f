/**
 * @file Progress events a batch emits (local or queue mode). The library only emits them; renderers in
 * src/cli/progress/ draw a bar on a terminal or print JSON lines.
 */
import type { CaptionChunk } from './caption-processor.js';
import type { BatchItem, BatchSummary } from './batch-summary.js';

export type BatchEvent =
  | { readonly type: 'batch-start'; readonly total: number }
  | { readonly type: 'item-start'; readonly input: string; readonly key?: string }
  | { readonly type: 'chunk'; readonly input: string; readonly chunk: CaptionChunk }
  | { readonly type: 'item-end'; readonly item: BatchItem }
  | { readonly type: 'batch-end'; readonly summary: BatchSummary }
  | { readonly type: 'warning'; readonly message: string };

export type BatchEventListener = (event: BatchEvent) => void;

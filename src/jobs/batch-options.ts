/**
 * @file Options shared by local batches and queue submissions, and their validation (UsageError naming the option).
 */
import { UsageError } from '../errors/index.js';
import type { CaptionFormat } from '../output/caption-format.js';
import type { BatchEventListener } from './batch-events.js';
import type { ChunkingSpec, JobKeyParameters } from './caption-processor.js';
import { validateFixedChunking } from './chunk-plan.js';

export interface BatchOptions {
  /** Output directory (created when missing). */
  readonly outDir: string;
  readonly formats: readonly CaptionFormat[];
  readonly chunking: ChunkingSpec;
  /** Pipeline, model and parameters: they go into every job key. Chunking is added automatically. */
  readonly keyParameters: JobKeyParameters;
  /** Walk directories recursively. */
  readonly recursive?: boolean;
  /** Base for relative inputs (default: process.cwd()). */
  readonly cwd?: string;
  readonly signal?: AbortSignal;
  readonly onEvent?: BatchEventListener;
}

/** Throws UsageError for invalid options. */
export function validateBatchOptions(options: BatchOptions): void {
  if (!options.outDir) throw new UsageError('--out: an output directory is required');
  if (options.formats.length === 0) throw new UsageError('--format: name at least one output format');
  if (options.chunking.mode === 'fixed') validateFixedChunking(options.chunking);
}

/** Validates a concurrency option: a positive integer. */
export function validateConcurrency(concurrency: number, optionName = '--concurrency'): void {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new UsageError(`${optionName} ${concurrency}: must be a positive integer`);
  }
}

/** The key parameters with the chunking folded in, so changing --chunk/--overlap/--scenes redoes a video. */
export function keyParametersWithChunking(options: BatchOptions): JobKeyParameters {
  return {
    ...options.keyParameters,
    parameters: { ...options.keyParameters.parameters, chunking: options.chunking },
  };
}

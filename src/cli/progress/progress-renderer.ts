/**
 * @file The contract of a batch progress renderer: it receives the library's batch events and draws them on the
 * CLI's stderr (a bar with ETA on a terminal, JSON lines otherwise). `finish()` leaves the stream on a fresh line.
 */
import type { BatchEvent } from '../../jobs/batch-events.js';

export interface ProgressRenderer {
  onEvent(event: BatchEvent): void;
  finish(): void;
}

export interface ProgressRendererOptions {
  readonly stream: NodeJS.WritableStream;
  /** Clock in milliseconds (tests pass a fake one). */
  readonly now?: () => number;
}

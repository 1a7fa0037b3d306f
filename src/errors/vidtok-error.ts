/**
 * @file The base of every typed vidtok error. A marker symbol (not `instanceof`) identifies vidtok errors so the
 * check works across duplicated package copies; each subclass carries a stable `code`, the CLI exit code and a
 * `retryable` flag that batch jobs use to decide between retry and fail.
 */
import type { ExitCodeValue } from './exit-codes.js';

const marker = Symbol.for('vidtok.error');

export interface VidtokErrorOptions {
  readonly cause?: unknown;
  readonly retryable?: boolean;
}

export abstract class VidtokError extends Error {
  readonly [marker] = true;
  /** Stable machine-readable code, e.g. `INPUT_NOT_FOUND`. */
  abstract readonly code: string;
  /** The process exit code the CLI uses for this error. */
  abstract readonly exitCode: ExitCodeValue;
  /** Whether trying again (same input) may succeed: transient I/O, network, a killed worker. */
  readonly retryable: boolean;

  constructor(message: string, options: VidtokErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable ?? false;
  }

  static isInstance(error: unknown): error is VidtokError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}

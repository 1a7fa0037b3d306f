/** @file `throwIfAborted(signal, operation)`: the one check every cancellable step makes before its next piece of work. */
import { AbortedError } from './process-errors.js';

/** Throws AbortedError naming `operation` (the signal's reason as its cause) when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, operation: string): void {
  if (signal?.aborted) throw new AbortedError(operation, { cause: signal.reason });
}

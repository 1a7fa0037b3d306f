/**
 * @file Errors about the distributed job queue (`--queue redis://...`): an invalid URL, a Redis that cannot be
 * reached, or a Redis configured so that BullMQ could lose jobs (`maxmemory-policy` other than `noeviction`).
 */
import { ExitCode } from './exit-codes.js';
import { VidtokError, type VidtokErrorOptions } from './vidtok-error.js';

/** The queue cannot be used: bad URL, unreachable server, or unsafe Redis configuration. */
export class QueueConfigError extends VidtokError {
  readonly code = 'QUEUE_UNUSABLE';
  readonly exitCode = ExitCode.configError;
  constructor(
    readonly queueUrl: string,
    readonly problem: string,
    options?: VidtokErrorOptions,
  ) {
    super(`${queueUrl}: ${problem}`, options);
  }
}

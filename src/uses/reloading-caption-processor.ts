/**
 * @file A caption processor that survives its model process: the model is opened on first use (so a batch whose
 * videos are all done never loads it) and shared by every job; when a job fails because the model's runner process
 * died (a native crash, an out-of-memory kill — a retryable InferenceError), that model is disposed and the next job
 * opens a fresh one instead of failing on a dead process. The failed job itself is reported as failed (retryable:
 * queue mode retries it). With a `shutdownSignal` (a worker's SIGINT/SIGTERM), any failure after shutdown began is
 * reported as an AbortedError: a Ctrl-C that also reached the model or ffmpeg processes (same process group) makes
 * the job retry later instead of failing for good.
 */
import { AbortedError, VidtokError } from '../errors/index.js';
import type { CaptionProcessor } from '../jobs/caption-processor.js';
import { createCaptionProcessor } from './caption-video.js';
import type { OpenedVideoModel } from './video-model.js';

export interface ReloadingCaptionProcessor {
  readonly processor: CaptionProcessor;
  /** Opens the model now (a worker does this at start, so a missing model fails before any job is taken). */
  ready(): Promise<OpenedVideoModel>;
  /** How many times the model was opened. */
  readonly loads: number;
  /** Disposes the current model, if any. */
  dispose(): Promise<void>;
}

interface Slot {
  readonly opening: Promise<OpenedVideoModel>;
  readonly processor: Promise<CaptionProcessor>;
}

/** True for the errors that mean the runner process is gone (not a bad input). */
export function isRunnerFailure(error: unknown): boolean {
  return VidtokError.isInstance(error) && error.code === 'INFERENCE_FAILED' && error.retryable;
}

/** Wraps `open` (which must give the model named by `identity`) as a shared, self-healing processor. */
export function createReloadingCaptionProcessor(
  open: () => Promise<OpenedVideoModel>,
  identity: string,
  options: { readonly shutdownSignal?: AbortSignal } = {},
): ReloadingCaptionProcessor {
  let slot: Slot | undefined;
  let loads = 0;
  const acquire = (): Slot => {
    if (!slot) {
      loads += 1;
      const opening = open();
      const current: Slot = {
        opening,
        processor: opening.then((opened) => createCaptionProcessor(opened.model, identity)),
      };
      // A failed open is not cached: the next job tries again.
      opening.catch(() => {
        if (slot === current) slot = undefined;
      });
      // Only jobs await the processor; a failed open reaches ready()'s caller through `opening`, not as an
      // unhandled rejection (which printed a stack trace after `vidtok worker`'s one-line error).
      current.processor.catch(() => undefined);
      slot = current;
    }
    return slot;
  };
  const retire = async (current: Slot): Promise<void> => {
    if (slot !== current) return; // another job already replaced it
    slot = undefined;
    await (await current.opening.catch(() => undefined))?.model.dispose().catch(() => undefined);
  };
  return {
    processor: async (task, context) => {
      const current = acquire();
      const processor = await current.processor;
      try {
        return await processor(task, context);
      } catch (error) {
        if (isRunnerFailure(error)) await retire(current);
        if (options.shutdownSignal?.aborted && !(error instanceof AbortedError)) {
          throw new AbortedError(`caption ${task.input} (shutting down)`, { cause: error });
        }
        throw error;
      }
    },
    ready: () => acquire().opening,
    get loads() {
      return loads;
    },
    dispose: async () => {
      const current = slot;
      slot = undefined;
      if (current) await (await current.opening.catch(() => undefined))?.model.dispose();
    },
  };
}

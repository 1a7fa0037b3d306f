/**
 * @file A first-in first-out lane for inference calls. The model runner does one thing at a time; routing frame
 * encodes and generation steps through one lane makes them take turns fairly (an encode waits for at most one
 * generation step), so intake keeps pace while a scene is narrated, and a slow model shows up as intake delay —
 * which the bounded live buffer turns into counted frame drops rather than unbounded memory. The lane also counts
 * the time its calls ran, per kind: the model's busy time, whose ratio to the media time is narration's real-time
 * factor.
 */

/** What a lane call does: a vision encode, a prompt prefill, or one generation step (the first prefills the question). */
export type InferenceKind = 'encode' | 'prefill' | 'generate';

export class InferenceLane {
  private tail: Promise<void> = Promise.resolve();
  private waitingCount = 0;
  private busy = 0;

  /** `onSettled` gets the milliseconds each call ran (from its start, not its queueing, to its settling). */
  constructor(private readonly onSettled?: (kind: InferenceKind, milliseconds: number) => void) {}

  /** Calls waiting or running. */
  get waiting(): number {
    return this.waitingCount;
  }

  /** Milliseconds the calls ran so far, in total. */
  get busyMilliseconds(): number {
    return this.busy;
  }

  /** Runs `work` after every call queued before it has settled. */
  run<Result>(kind: InferenceKind, work: () => Promise<Result>): Promise<Result> {
    this.waitingCount += 1;
    const result = this.tail.then(async () => {
      const started = performance.now();
      try {
        return await work();
      } finally {
        const milliseconds = performance.now() - started;
        this.busy += milliseconds;
        this.onSettled?.(kind, milliseconds);
      }
    });
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result.finally(() => {
      this.waitingCount -= 1;
    });
  }
}

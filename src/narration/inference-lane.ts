/**
 * @file A first-in first-out lane for inference calls. The model runner does one thing at a time; routing frame
 * encodes and generation steps through one lane makes them take turns fairly (an encode waits for at most one
 * generation step), so intake keeps pace while a scene is narrated, and a slow model shows up as intake delay —
 * which the bounded live buffer turns into counted frame drops rather than unbounded memory.
 */

export class InferenceLane {
  private tail: Promise<void> = Promise.resolve();
  private waitingCount = 0;

  /** Calls waiting or running. */
  get waiting(): number {
    return this.waitingCount;
  }

  /** Runs `work` after every call queued before it has settled. */
  run<Result>(work: () => Promise<Result>): Promise<Result> {
    this.waitingCount += 1;
    const result = this.tail.then(work);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result.finally(() => {
      this.waitingCount -= 1;
    });
  }
}

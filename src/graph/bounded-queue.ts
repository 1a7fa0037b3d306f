/**
 * @file A bounded asynchronous queue between a producer (the frame source) and a consumer (a streaming stage). `push`
 * waits while the queue is full, so a slow consumer slows the producer down instead of growing memory; the consumer
 * reads it as an async iterable. Closing ends the iteration; failing (or aborting) makes both sides reject.
 */

export class BoundedQueue<Item> implements AsyncIterable<Item> {
  private readonly items: Item[] = [];
  private closed = false;
  private failure: { readonly error: unknown } | undefined;
  private readonly waitingProducers: (() => void)[] = [];
  private readonly waitingConsumers: (() => void)[] = [];
  /** Largest number of items ever held at once (for tests and diagnostics). */
  highWaterMark = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`queue capacity must be a positive integer, got ${capacity}`);
  }

  /** Number of items waiting to be read. */
  get size(): number {
    return this.items.length;
  }

  /** Adds an item, waiting while the queue is full. Rejects when the queue failed or was closed. */
  async push(item: Item): Promise<void> {
    while (this.items.length >= this.capacity && this.failure === undefined && !this.closed) {
      await new Promise<void>((resolve) => this.waitingProducers.push(resolve));
    }
    if (this.failure !== undefined) throw this.failure.error;
    if (this.closed) throw new Error('push on a closed queue');
    this.items.push(item);
    this.highWaterMark = Math.max(this.highWaterMark, this.items.length);
    this.wake(this.waitingConsumers);
  }

  /** No more items will come; the consumer ends after reading what is queued. */
  close(): void {
    this.closed = true;
    this.wake(this.waitingConsumers);
    this.wake(this.waitingProducers);
  }

  /** Fails both sides with `error` (first failure wins) and drops queued items. */
  fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = { error };
    this.items.length = 0;
    this.wake(this.waitingConsumers);
    this.wake(this.waitingProducers);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Item> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure.error;
      if (this.items.length > 0) {
        const item = this.items.shift() as Item;
        this.wake(this.waitingProducers);
        yield item;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => this.waitingConsumers.push(resolve));
    }
  }

  private wake(waiters: (() => void)[]): void {
    for (const resolve of waiters.splice(0)) resolve();
  }
}

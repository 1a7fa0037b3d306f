/**
 * @file A single-consumer async queue: producers `push` items, the consumer iterates them in order; `end()` finishes
 * the iteration after the queued items, `fail(error)` makes it throw after them. Used to merge the events of the
 * intake and narrator tasks into one stream.
 */

export class EventChannel<Item> implements AsyncIterable<Item> {
  private readonly items: Item[] = [];
  private wake: (() => void) | undefined;
  private finished = false;
  private failure: { error: unknown } | undefined;
  private iterated = false;

  /** Items queued and not yet taken by the consumer. */
  get size(): number {
    return this.items.length;
  }

  get closed(): boolean {
    return this.finished;
  }

  push(item: Item): void {
    if (this.finished) return;
    this.items.push(item);
    this.notify();
  }

  end(): void {
    this.finished = true;
    this.notify();
  }

  fail(error: unknown): void {
    if (this.finished) return;
    this.failure = { error };
    this.finished = true;
    this.notify();
  }

  private notify(): void {
    const resolve = this.wake;
    this.wake = undefined;
    resolve?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Item, void> {
    if (this.iterated) throw new RangeError('an event channel can be iterated once');
    this.iterated = true;
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.finished) {
        if (this.failure) throw this.failure.error;
        return;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }
}

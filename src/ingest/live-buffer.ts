/**
 * @file A bounded FIFO that drops its OLDEST item when full (a leaky queue, like GStreamer's `queue leaky=downstream`).
 * Live sources use it so a slow consumer sees recent frames and memory stays bounded; every drop is counted.
 */

export class DropOldestBuffer<Item> {
  private readonly items: Item[] = [];
  private droppedCount = 0;

  constructor(
    readonly capacity: number,
    private readonly onDrop?: (droppedTotal: number, item: Item) => void,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`buffer capacity must be a positive integer, got ${capacity}`);
  }

  /** Items dropped so far. */
  get dropped(): number {
    return this.droppedCount;
  }

  get size(): number {
    return this.items.length;
  }

  /** Adds an item; when full, drops the oldest first and reports it. */
  push(item: Item): void {
    if (this.items.length >= this.capacity) {
      const oldest = this.items.shift() as Item;
      this.droppedCount += 1;
      this.onDrop?.(this.droppedCount, oldest);
    }
    this.items.push(item);
  }

  shift(): Item | undefined {
    return this.items.shift();
  }

  clear(): void {
    this.items.length = 0;
  }
}

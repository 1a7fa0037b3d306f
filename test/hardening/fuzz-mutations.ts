/**
 * @file Seeded mutations of real clips in the style of GStreamer's breakmydata and FFmpeg's fuzz corpora: byte
 * flips, truncation, zeroed ranges, duplicated ranges and deleted ranges. A case is `{ clip, seed }`; the seed
 * expands to a list of explicit operations, and regression cases store those operations, so a kept case still
 * reproduces the same bytes if the generator changes.
 */

export type MutationOperation =
  | { readonly kind: 'flip'; readonly offset: number; readonly mask: number }
  | { readonly kind: 'truncate'; readonly length: number }
  | { readonly kind: 'zero'; readonly offset: number; readonly length: number }
  | { readonly kind: 'duplicate'; readonly from: number; readonly length: number; readonly to: number }
  | { readonly kind: 'delete'; readonly offset: number; readonly length: number };

export interface FuzzCase {
  /** File name under ../shared/videos. */
  readonly clip: string;
  readonly seed: number;
  readonly operations: readonly MutationOperation[];
  /** Why a regression case is kept (what it once broke). */
  readonly note?: string;
}

/** mulberry32: a small, well-distributed 32-bit generator; the same seed gives the same sequence everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** Expands `seed` into 1-4 operations over a file of `size` bytes (offsets biased towards the header, where demuxers parse). */
export function generateOperations(seed: number, size: number): MutationOperation[] {
  const random = seededRandom(seed);
  const integer = (limit: number): number => Math.floor(random() * Math.max(1, limit));
  // Half of the offsets fall in the first 64 KiB (container headers, codec configuration), half anywhere.
  const offset = (): number => (random() < 0.5 ? integer(Math.min(size, 65_536)) : integer(size));
  const operations: MutationOperation[] = [];
  const count = 1 + integer(4);
  for (let index = 0; index < count; index += 1) {
    const choice = random();
    if (choice < 0.35) {
      const flips = 1 + integer(64);
      for (let flip = 0; flip < flips; flip += 1)
        operations.push({ kind: 'flip', offset: offset(), mask: 1 + integer(255) });
    } else if (choice < 0.5) operations.push({ kind: 'truncate', length: integer(size) });
    else if (choice < 0.7) operations.push({ kind: 'zero', offset: offset(), length: 1 + integer(4096) });
    else if (choice < 0.85)
      operations.push({ kind: 'duplicate', from: offset(), length: 1 + integer(8192), to: offset() });
    else operations.push({ kind: 'delete', offset: offset(), length: 1 + integer(4096) });
  }
  return operations;
}

/** Applies `operations` in order to a copy of `bytes`. */
export function applyOperations(bytes: Buffer, operations: readonly MutationOperation[]): Buffer {
  let data = Buffer.from(bytes);
  for (const operation of operations) {
    switch (operation.kind) {
      case 'flip':
        if (operation.offset < data.length) data[operation.offset] = data[operation.offset]! ^ operation.mask;
        break;
      case 'truncate':
        data = data.subarray(0, Math.min(operation.length, data.length));
        break;
      case 'zero':
        data.fill(
          0,
          Math.min(operation.offset, data.length),
          Math.min(operation.offset + operation.length, data.length),
        );
        break;
      case 'duplicate': {
        const piece = Buffer.from(data.subarray(operation.from, operation.from + operation.length));
        const at = Math.min(operation.to, data.length);
        data = Buffer.concat([data.subarray(0, at), piece, data.subarray(at)]);
        break;
      }
      case 'delete': {
        const at = Math.min(operation.offset, data.length);
        data = Buffer.concat([data.subarray(0, at), data.subarray(at + operation.length)]);
        break;
      }
    }
  }
  return data;
}

/** A one-line summary of a case for reports. */
export function describeCase(fuzzCase: FuzzCase): string {
  const kinds = new Map<string, number>();
  for (const operation of fuzzCase.operations) kinds.set(operation.kind, (kinds.get(operation.kind) ?? 0) + 1);
  return `${fuzzCase.clip} seed ${fuzzCase.seed} (${[...kinds].map(([kind, count]) => `${kind}x${count}`).join(', ')})`;
}

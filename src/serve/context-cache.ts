/**
 * @file A bounded LRU cache of prefilled video contexts. The key names everything the context depends on (content
 * hash, pipeline and its parameters, time window, system message, model identity with dtypes), so a follow-up
 * question on the same video skips decoding, encoding and prefill. The least recently used context is disposed
 * (its KV cache released in the runner) when a new one would exceed the bound.
 */
import type { VideoContext } from '../uses/video-context.js';

export interface ContextKeyParts {
  readonly contentKey: string;
  readonly model: string;
  readonly pipeline: string;
  readonly budget?: number;
  readonly start?: number;
  readonly end?: number;
  readonly systemPrompt?: string;
  readonly paperPrompt: boolean;
  readonly questionKind: string;
  /** Set only for question-conditioned pipelines (B-VLLM), whose context depends on the question. */
  readonly question?: string;
}

/** A stable string for the parts (JSON with a fixed key order). */
export function contextKey(parts: ContextKeyParts): string {
  return JSON.stringify([
    parts.contentKey,
    parts.model,
    parts.pipeline,
    parts.budget ?? null,
    parts.start ?? null,
    parts.end ?? null,
    parts.systemPrompt ?? null,
    parts.paperPrompt,
    parts.questionKind,
    parts.question ?? null,
  ]);
}

export class ContextCache {
  private readonly entries = new Map<string, VideoContext>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0)
      throw new RangeError(`context cache capacity ${capacity}: must be an integer >= 0`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The context under `key`, now the most recently used; undefined on a miss. */
  get(key: string): VideoContext | undefined {
    const context = this.entries.get(key);
    if (context === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, context);
    return context;
  }

  /**
   * Stores `context` under `key`, disposing the least recently used entries past the capacity. With capacity 0 the
   * context is not kept: the caller gets `false` and disposes it after use.
   */
  async put(key: string, context: VideoContext): Promise<boolean> {
    if (this.capacity === 0) return false;
    const previous = this.entries.get(key);
    this.entries.delete(key);
    if (previous && previous !== context) await previous.dispose().catch(() => undefined);
    this.entries.set(key, context);
    while (this.entries.size > this.capacity) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, VideoContext];
      this.entries.delete(oldestKey);
      await oldest.dispose().catch(() => undefined);
    }
    return true;
  }

  /** Drops `key` (e.g. after its context failed) and disposes it. */
  async delete(key: string): Promise<void> {
    const context = this.entries.get(key);
    this.entries.delete(key);
    await context?.dispose().catch(() => undefined);
  }

  /** Disposes every context. */
  async clear(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((context) => context.dispose().catch(() => undefined)));
  }
}

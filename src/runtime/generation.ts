/**
 * @file The decode loop: from the logits after a prefill, pick a token, stream it, feed it back through the KV
 * cache, until eos, the token budget, a stop string, the context window or an abort. Deltas are yielded through an
 * async iterator; text is decoded incrementally (an incomplete UTF-8 character or a possible stop-string prefix is
 * held back until it is resolved).
 */
import { AbortedError } from '../errors/index.js';
import type { ModelRunner } from './model-runner.js';
import type { TextTokenizer } from './text-tokenizer.js';
import { createTokenSampler, type SamplingOptions } from './token-sampler.js';

export interface GenerationOptions extends SamplingOptions {
  /** Most tokens to generate (default 128). */
  readonly maxNewTokens?: number;
  /** Generation stops when the text contains one of these (the stop string is not returned). */
  readonly stopStrings?: readonly string[];
  readonly signal?: AbortSignal;
}

/**
 * One generated token and the text it adds (may be empty while a character or stop string is incomplete). A final
 * text-only delta that flushes held-back text has tokenId -1.
 */
export interface GenerationDelta {
  readonly tokenId: number;
  readonly text: string;
}

export type StopReason = 'eos' | 'max-new-tokens' | 'stop-string' | 'context-window';

export interface GenerationStats {
  /** Tokens prefilled for this question (the shared context is counted in the session). */
  readonly promptTokens: number;
  /** Context tokens reused from the session's prefilled prefix. */
  readonly reusedTokens: number;
  readonly generatedTokens: number;
  /** Prefill time of the question part, milliseconds. */
  readonly prefillMilliseconds: number;
  /** Decode time after the first token, milliseconds. */
  readonly generateMilliseconds: number;
  /** From the start of the question's prefill to the first token, milliseconds. */
  readonly timeToFirstTokenMilliseconds: number;
  readonly stopReason: StopReason;
}

export interface GenerationResult {
  readonly text: string;
  readonly tokenIds: readonly number[];
  readonly stats: GenerationStats;
}

export interface DecodeLoopInput {
  readonly runner: ModelRunner;
  readonly tokenizer: TextTokenizer;
  /** Context that holds the prefilled prompt; the loop appends to it. */
  readonly context: string;
  readonly firstLogits: Float32Array;
  /** Ids already in the sequence (for the repetition penalty). */
  readonly seenIds: Iterable<number>;
  readonly eos: readonly number[];
  /** Positions left in the context window. */
  readonly positionsLeft: number;
  readonly promptTokens: number;
  readonly reusedTokens: number;
  readonly prefillMilliseconds: number;
  readonly startedAt: number;
}

/** Runs the decode loop; yields deltas and returns the result. */
export async function* decodeLoop(
  input: DecodeLoopInput,
  options: GenerationOptions,
): AsyncGenerator<GenerationDelta, GenerationResult> {
  const maxNewTokens = options.maxNewTokens ?? 128;
  const sampler = createTokenSampler(options);
  const stopStrings = (options.stopStrings ?? []).filter((stop) => stop.length > 0);
  const holdBack = stopStrings.reduce((longest, stop) => Math.max(longest, stop.length - 1), 0);
  const eos = new Set(input.eos);
  const seen = new Set(input.seenIds);
  const generated: number[] = [];
  let logits = input.firstLogits;
  let emitted = 0;
  let text = '';
  let firstTokenAt = 0;
  let stopReason: StopReason = 'max-new-tokens';
  let positionsLeft = input.positionsLeft;

  while (true) {
    if (options.signal?.aborted) throw new AbortedError('generate');
    if (generated.length >= maxNewTokens) break;
    const tokenId = sampler(logits, seen);
    if (generated.length === 0) firstTokenAt = performance.now();
    if (eos.has(tokenId)) {
      stopReason = 'eos';
      break;
    }
    generated.push(tokenId);
    seen.add(tokenId);
    text = input.tokenizer.decode(generated);
    const stopAt = stopStrings.reduce((first, stop) => {
      const at = text.indexOf(stop);
      return at >= 0 && (first < 0 || at < first) ? at : first;
    }, -1);
    if (stopAt >= 0) {
      text = text.slice(0, stopAt);
      if (text.length > emitted) yield { tokenId, text: text.slice(emitted) };
      emitted = text.length;
      stopReason = 'stop-string';
      break;
    }
    // Hold back a trailing replacement character (incomplete UTF-8) and a possible stop-string prefix.
    let ready = text.endsWith('\uFFFD') ? text.length - 1 : text.length;
    ready = Math.max(emitted, ready - holdBack);
    yield { tokenId, text: text.slice(emitted, ready) };
    emitted = ready;
    if (generated.length >= maxNewTokens) break;
    if (positionsLeft <= 0) {
      stopReason = 'context-window';
      break;
    }
    // No signal on the step: a decode step is short, and aborting a child-runner call would end the child (and
    // the prefilled context with it). The abort is honoured right after the step instead.
    const step = await input.runner.step({ context: input.context, tokenId });
    positionsLeft -= 1;
    logits = step.logits;
  }
  if (stopReason !== 'stop-string' && text.length > emitted) {
    yield { tokenId: -1, text: text.slice(emitted) };
  }
  const end = performance.now();
  return {
    text,
    tokenIds: generated,
    stats: {
      promptTokens: input.promptTokens,
      reusedTokens: input.reusedTokens,
      generatedTokens: generated.length,
      prefillMilliseconds: input.prefillMilliseconds,
      generateMilliseconds: firstTokenAt === 0 ? 0 : end - firstTokenAt,
      timeToFirstTokenMilliseconds: (firstTokenAt === 0 ? end : firstTokenAt) - input.startedAt,
      stopReason,
    },
  };
}

/**
 * @file The OpenAI response objects: a `chat.completion`, its streamed `chat.completion.chunk`s, and `usage`
 * (prompt tokens = the reused video context + the positions prefilled for the question; `cached_tokens` says how
 * many came from a cached context). A `vidtok` field adds what the model saw and whether the context was cached.
 */
import { randomBytes } from 'node:crypto';
import type { VideoAnswer, VideoContextSummary } from '../uses/video-context.js';

export type FinishReason = 'stop' | 'length';

export interface CompletionUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
  readonly prompt_tokens_details: { readonly cached_tokens: number };
}

export interface VidtokResponseDetails {
  readonly cache: 'hit' | 'miss';
  readonly pipeline: string;
  readonly visual_tokens: number;
  readonly context_tokens: number;
  readonly frames: readonly { readonly index: number; readonly pts: number }[];
  readonly stop_reason: string;
  readonly time_to_first_token_ms: number;
  /** The paper's assistant prefix the answer continues (the content does not repeat it), when there is one. */
  readonly assistant_prefix?: string;
}

/** A fresh `chatcmpl-…` id. */
export const completionId = (): string => `chatcmpl-${randomBytes(12).toString('hex')}`;

/** eos and stop strings are `stop`; the token budget and the context window are `length`. */
export function finishReason(stopReason: string): FinishReason {
  return stopReason === 'max-new-tokens' || stopReason === 'context-window' ? 'length' : 'stop';
}

export function usageOf(answer: VideoAnswer, cacheHit: boolean): CompletionUsage {
  const prompt = answer.reusedTokens + answer.prefilledTokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: answer.generatedTokens,
    total_tokens: prompt + answer.generatedTokens,
    prompt_tokens_details: { cached_tokens: cacheHit ? answer.reusedTokens : 0 },
  };
}

export function vidtokDetails(
  summary: VideoContextSummary,
  answer: VideoAnswer,
  cacheHit: boolean,
  timeToFirstTokenMilliseconds: number,
): VidtokResponseDetails {
  return {
    cache: cacheHit ? 'hit' : 'miss',
    pipeline: summary.pipeline.name,
    visual_tokens: summary.visualTokens,
    context_tokens: summary.contextTokens,
    frames: summary.frames,
    stop_reason: answer.stopReason,
    time_to_first_token_ms: Math.round(timeToFirstTokenMilliseconds * 10) / 10,
    ...(answer.assistantPrefix !== undefined ? { assistant_prefix: answer.assistantPrefix } : {}),
  };
}

export interface ResponseIdentity {
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

export function completionObject(
  identity: ResponseIdentity,
  text: string,
  answer: VideoAnswer,
  usage: CompletionUsage,
  details: VidtokResponseDetails,
): Record<string, unknown> {
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text },
        logprobs: null,
        finish_reason: finishReason(answer.stopReason),
      },
    ],
    usage,
    vidtok: details,
  };
}

export function chunkObject(
  identity: ResponseIdentity,
  delta: { role?: 'assistant'; content?: string },
  finish: FinishReason | null,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: identity.id,
    object: 'chat.completion.chunk',
    created: identity.created,
    model: identity.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...extra,
  };
}

/** The last chunk of `stream_options.include_usage`: no choices, the usage. */
export function usageChunk(identity: ResponseIdentity, usage: CompletionUsage): Record<string, unknown> {
  return {
    id: identity.id,
    object: 'chat.completion.chunk',
    created: identity.created,
    model: identity.model,
    choices: [],
    usage,
  };
}

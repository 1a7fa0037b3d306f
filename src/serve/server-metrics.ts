/**
 * @file The server's Prometheus metrics (prom-client, own registry so several servers in one process do not clash):
 * requests by route and status, queue depth and running requests, prefill and decode tokens/s, time to first token,
 * context cache hits and misses, generated tokens and cancelled generations.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class ServerMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'vidtok_serve_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'vidtok_serve_queue_depth',
    help: 'Completion requests waiting for the model',
    registers: [this.registry],
  });
  readonly running = new Gauge({
    name: 'vidtok_serve_queue_running',
    help: 'Completion requests the model is serving now (0 or 1)',
    registers: [this.registry],
  });
  readonly queueRejected = new Counter({
    name: 'vidtok_serve_queue_rejected_total',
    help: 'Requests answered 429 because the queue was full',
    registers: [this.registry],
  });
  readonly activeGenerations = new Gauge({
    name: 'vidtok_serve_active_generations',
    help: 'Generations in progress',
    registers: [this.registry],
  });
  readonly generatedTokens = new Counter({
    name: 'vidtok_serve_generated_tokens_total',
    help: 'Tokens generated (streamed deltas of cancelled generations included)',
    registers: [this.registry],
  });
  readonly promptTokens = new Counter({
    name: 'vidtok_serve_prompt_tokens_total',
    help: 'Prompt positions by origin: prefilled now or reused from a cached context',
    labelNames: ['origin'] as const,
    registers: [this.registry],
  });
  readonly cancelled = new Counter({
    name: 'vidtok_serve_generations_cancelled_total',
    help: 'Generations stopped because the client disconnected',
    registers: [this.registry],
  });
  readonly cacheHits = new Counter({
    name: 'vidtok_serve_context_cache_hits_total',
    help: 'Requests answered from a cached prefilled video context',
    registers: [this.registry],
  });
  readonly cacheMisses = new Counter({
    name: 'vidtok_serve_context_cache_misses_total',
    help: 'Requests that decoded, encoded and prefilled their video',
    registers: [this.registry],
  });
  readonly cacheEntries = new Gauge({
    name: 'vidtok_serve_context_cache_entries',
    help: 'Prefilled video contexts held',
    registers: [this.registry],
  });
  readonly prefillRate = new Gauge({
    name: 'vidtok_serve_prefill_tokens_per_second',
    help: 'Prefill speed of the last video context (positions/s)',
    registers: [this.registry],
  });
  readonly decodeRate = new Gauge({
    name: 'vidtok_serve_decode_tokens_per_second',
    help: 'Decode speed of the last completed answer (tokens/s after the first)',
    registers: [this.registry],
  });
  readonly timeToFirstToken = new Histogram({
    name: 'vidtok_serve_time_to_first_token_seconds',
    help: 'From the request reaching the model to its first generated token, by context cache outcome',
    labelNames: ['cache'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly modelLoaded = new Gauge({
    name: 'vidtok_serve_model_loaded',
    help: '1 once the model is loaded',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'vidtok_serve_process_' });
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

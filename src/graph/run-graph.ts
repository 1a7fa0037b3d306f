/**
 * @file Executes a built graph over a frame source. Frames are pulled from the source once; a stage that can stream
 * (e.g. `encode`) receives them in batches through a bounded queue as they are decoded, so a slow stage slows the
 * decoder instead of growing memory; other frame consumers receive the whole list at the end of decoding. Every
 * other stage runs as soon as its inputs are ready (independent branches run concurrently). The first failure or
 * an abort stops everything: queues fail, the source iterator is closed (which kills its ffmpeg process).
 * The result is a TokenStream whose metadata holds the applied parameters, approximation notes and the time each
 * stage took.
 */
import type { VisualEncoder } from '../core/encoder.js';
import type { VideoFrame } from '../core/frame.js';
import type { TokenStream, VisualSegment } from '../core/token-stream.js';
import { AbortedError, VidtokError } from '../errors/index.js';
import { BoundedQueue } from './bounded-queue.js';
import type { BuiltGraph, GraphNode } from './build-graph.js';
import type { Payload } from './payload.js';
import { sourceStageId } from './pipeline-definition.js';
import type { StageContext } from './stage.js';
import { checkStageOutput } from './stage-output-check.js';

export interface RunGraphOptions {
  readonly encoder: VisualEncoder;
  readonly question?: string;
  readonly signal?: AbortSignal;
  /** Frames per batch handed to streaming stages (default 4). */
  readonly batchSize?: number;
  /** Batches a streaming stage may have waiting before the decoder is paused (default 2). */
  readonly queueCapacity?: number;
  /** Called when a stage starts and ends (for progress display). */
  readonly onStage?: (event: StageEvent) => void;
  /** Called for every frame pulled from the source. */
  readonly onFrame?: (frame: { readonly index: number; readonly pts: number; readonly count: number }) => void;
}

export type StageEvent =
  | { readonly type: 'start'; readonly stage: string }
  | { readonly type: 'end'; readonly stage: string; readonly milliseconds: number };

export interface GraphRunResult {
  readonly stream: TokenStream;
  /** Frames the source delivered, in order. */
  readonly frames: readonly { readonly index: number; readonly pts: number }[];
  /** Diagnostics the stages noted, keyed `stage.key`. */
  readonly notes: Readonly<Record<string, unknown>>;
  /** Largest number of batches waiting in any streaming queue. */
  readonly queueHighWaterMark: number;
}

function toAbortedError(signal: AbortSignal): AbortedError {
  return new AbortedError('pipeline run', { cause: signal.reason });
}

/** Runs `graph` over `source` (an async iterable of frames, e.g. ingest's `openFrames`, or an array). */
export async function runGraph(
  graph: BuiltGraph,
  source: AsyncIterable<VideoFrame> | Iterable<VideoFrame>,
  options: RunGraphOptions,
): Promise<GraphRunResult> {
  const controller = new AbortController();
  const outer = options.signal;
  const forwardAbort = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) throw toAbortedError(outer);
  outer?.addEventListener('abort', forwardAbort, { once: true });
  const signal = controller.signal;
  const batchSize = options.batchSize ?? 4;
  const queueCapacity = options.queueCapacity ?? 2;

  const timings: Record<string, number> = {};
  const notes: Record<string, unknown> = {};
  const frameList: { index: number; pts: number }[] = [];
  const queues = new Map<string, BoundedQueue<readonly VideoFrame[]>>();
  const frameConsumers = graph.nodes.filter((node) => Object.values(node.inputs).includes(sourceStageId));
  for (const node of frameConsumers) {
    const ports = Object.keys(node.inputs);
    if (node.stage.stream !== undefined && ports.length === 1 && ports[0] === 'in')
      queues.set(node.id, new BoundedQueue(queueCapacity));
  }
  const needAllFrames = frameConsumers.some((node) => !queues.has(node.id));
  let firstError: unknown;
  const fail = (error: unknown): void => {
    if (firstError === undefined) firstError = error;
    for (const queue of queues.values()) queue.fail(error);
    controller.abort(error);
  };
  signal.addEventListener(
    'abort',
    () => {
      const reason = outer?.aborted ? toAbortedError(outer) : signal.reason;
      for (const queue of queues.values()) queue.fail(reason);
    },
    { once: true },
  );

  // The source pump: pulls frames, hands batches to streaming stages, keeps all frames only when a stage needs them.
  const pump = (async (): Promise<readonly VideoFrame[]> => {
    const started = performance.now();
    const kept: VideoFrame[] = [];
    let batch: VideoFrame[] = [];
    const sendBatch = async (): Promise<void> => {
      if (batch.length === 0) return;
      const ready = batch;
      batch = [];
      await Promise.all([...queues.values()].map((queue) => queue.push(ready)));
    };
    try {
      for await (const frame of source) {
        if (signal.aborted) break;
        frameList.push({ index: frame.index, pts: frame.pts });
        options.onFrame?.({ index: frame.index, pts: frame.pts, count: frameList.length });
        if (needAllFrames) kept.push(frame);
        if (queues.size > 0) {
          batch.push(frame);
          if (batch.length >= batchSize) await sendBatch();
        }
      }
      if (signal.aborted) throw outer?.aborted ? toAbortedError(outer) : signal.reason;
      await sendBatch();
      for (const queue of queues.values()) queue.close();
      return kept;
    } catch (error) {
      fail(error);
      throw error;
    } finally {
      timings[`${sourceStageId} (decode)`] = Math.round(performance.now() - started);
    }
  })();
  pump.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"

  const results = new Map<string, Promise<Payload>>();
  const runNode = (node: GraphNode): Promise<Payload> => {
    const existing = results.get(node.id);
    if (existing !== undefined) return existing;
    const context: StageContext = {
      encoder: options.encoder,
      ...(options.question !== undefined ? { question: options.question } : {}),
      signal,
      note: (key, value) => {
        notes[`${node.id}.${key}`] = value;
      },
    };
    const promise = (async (): Promise<Payload> => {
      const queue = queues.get(node.id);
      let payload: Payload;
      if (queue !== undefined) {
        const started = performance.now();
        options.onStage?.({ type: 'start', stage: node.id });
        payload = await node.stage.stream!(queue, node.params, context);
        timings[node.id] = Math.round(performance.now() - started);
      } else {
        const inputs: Record<string, Payload> = {};
        for (const [port, producer] of Object.entries(node.inputs)) {
          inputs[port] =
            producer === sourceStageId ? { kind: 'frames', frames: await pump } : await runNode(nodeById(producer));
        }
        if (signal.aborted) throw outer?.aborted ? toAbortedError(outer) : signal.reason;
        const started = performance.now();
        options.onStage?.({ type: 'start', stage: node.id });
        payload = await node.stage.run(inputs, node.params, context);
        timings[node.id] = Math.round(performance.now() - started);
      }
      options.onStage?.({ type: 'end', stage: node.id, milliseconds: timings[node.id]! });
      // Produced equals planned: the stage's payload against the caps it negotiated before decoding.
      const shortSource = graph.source.atMost !== true && frameList.length < graph.source.count;
      checkStageOutput(node.id, node.caps, payload, shortSource);
      return payload;
    })();
    promise.catch(fail);
    results.set(node.id, promise);
    return promise;
  };
  const nodesById = new Map(graph.nodes.map((node) => [node.id, node]));
  const nodeById = (id: string): GraphNode => nodesById.get(id)!;

  try {
    // Start every streaming stage right away so it consumes batches while the source decodes.
    for (const id of queues.keys()) void runNode(nodeById(id));
    const output = await runNode(graph.output);
    await pump;
    if (firstError !== undefined) throw firstError;
    if (output.kind !== 'tokens') throw new TypeError(`output stage '${graph.output.id}' returned ${output.kind}`);
    const segments: VisualSegment[] = [...output.segments];
    const dim = segments[0]?.dim ?? options.encoder.dim;
    const params: Record<string, unknown> = {};
    for (const node of graph.nodes) params[node.id] = { use: node.stage.name, ...node.params };
    const stream: TokenStream = {
      dim,
      segments,
      metadata: {
        pipeline: graph.definition.name,
        encoder: options.encoder.name,
        params,
        ...(graph.approximations.length > 0 ? { approximation: graph.approximations.join(' ') } : {}),
        timings,
      },
    };
    return {
      stream,
      frames: frameList,
      notes,
      queueHighWaterMark: Math.max(0, ...[...queues.values()].map((queue) => queue.highWaterMark)),
    };
  } catch (error) {
    fail(error);
    await pump.catch(() => undefined);
    await Promise.allSettled(results.values());
    if (outer?.aborted) throw toAbortedError(outer);
    if (VidtokError.isInstance(firstError)) throw firstError;
    throw firstError ?? error;
  } finally {
    outer?.removeEventListener('abort', forwardAbort);
  }
}

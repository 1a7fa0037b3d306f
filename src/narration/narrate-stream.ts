/**
 * @file `narrateStream(source, options)`: live narration of a video source as an async iterable of NarrationEvents.
 *
 * Narration is a streaming run of a pipeline (narration-plan.ts; default `scenetilling`). Two tasks share one model.
 * Intake takes frames at a low fps from a bounded drop-oldest buffer (for live and realtime sources) and feeds them
 * to the shared SceneTracker (src/scenes: HSV histograms by default, so no frame is encoded for detection; with the
 * `hsv+model` or `model` descriptor each frame is encoded first); a closed scene, with its held frames, joins a
 * bounded queue. The narrator takes scenes from that queue one by one, runs the pipeline's per-scene graph on the
 * scene's frames (runGraph; budget and context were checked before the first frame), prefixes the memory tokens of
 * the last remembered scenes and streams the model's answer, conditioned on the previous narration text. Inference
 * runs in the child runner, so this event loop keeps taking frames while a scene is narrated; encodes and generation
 * steps take turns through an InferenceLane. Falling behind is always reported: the live buffer's drops as
 * `frame-dropped`, scenes folded into a waiting one (beyond `maxPendingScenes` on a live source; a file read at full
 * speed waits instead) as `scene-merged`. Everything held is bounded: the live buffer, the open scene's frames, the
 * waiting scenes and the remembered scenes.
 *
 * Aborting `options.signal` (or leaving the iteration early) stops intake, cuts the current narration between two
 * tokens (its `narration-end` has `interrupted: true`), drops scenes not yet narrated, disposes what this call
 * opened, and ends the iteration normally.
 */
import type { VisualEncoder } from '../core/encoder.js';
import { featureGrid } from '../core/feature-grid.js';
import type { VideoFrame } from '../core/frame.js';
import type { TokenStream, VisualSegment } from '../core/token-stream.js';
import { resolvePipeline } from '../graph/pipeline-registry.js';
import type { PipelineDefinition } from '../graph/pipeline-definition.js';
import { runGraph } from '../graph/run-graph.js';
import { frameIndices } from '../sampling/frame-indices.js';
import { sceneMemory } from '../strategies/scene-tilling/scene-tilling.js';
import { classifyInput, isLiveInput } from '../ingest/index.js';
import type { VlmModel } from '../runtime/index.js';
import { EventChannel } from './event-channel.js';
import { openFrameFeed, type FrameFeed } from './frame-feed.js';
import { InferenceLane } from './inference-lane.js';
import type { NarrationEvent, SceneCloseReason } from './narration-events.js';
import { resolveNarrateOptions, type NarrateOptions, type ResolvedNarrateOptions } from './narration-options.js';
import { narrationQuestion, type RememberedScene } from './narration-prompt.js';
import { planNarration, sceneGraph, type NarrationPlan } from './narration-plan.js';
import { sceneThumbnails } from './scene-thumbnails.js';
import { defaultNarrationModel } from './narration-options.js';
import { openNarrationModel } from './open-narration-model.js';
import { evenlySpaced, SceneTracker, type ClosedScene, type SceneTrackerEvent } from '../scenes/scene-tracker.js';

/** Counters and high-water marks of a run (they show that memory stayed bounded). */
export interface NarrationStats {
  framesReceived: number;
  framesDropped: number;
  /** Most frames seen waiting in the live buffer (bounded by `bufferFrames`). */
  peakBufferedFrames: number;
  /** Most frames held for the open scene (bounded by `maxSceneFrames` + 1). */
  peakHeldFrames: number;
  /** Most closed scenes waiting for the narrator (bounded by `maxPendingScenes`). */
  peakPendingScenes: number;
  /** Most scenes remembered as memory tokens (bounded by `memoryScenes`). */
  peakRememberedScenes: number;
  scenesClosed: number;
  /** Scenes folded into a waiting scene because the narrator was behind (live sources). */
  scenesMerged: number;
  /** Frames dropped from open scenes to stay within `maxSceneFrames`. */
  framesThinned: number;
  narrations: number;
  reconnects: number;
  /**
   * Milliseconds the model was busy (frame encodes, prefills, generation steps). Over the media seconds it is the
   * real-time factor of a live run: at most 1 keeps up.
   */
  inferenceMilliseconds: number;
  /** Of which vision encodes, and prompt prefills (the rest is generation, the question's prefill included). */
  encodeMilliseconds: number;
  prefillMilliseconds: number;
}

export interface NarrationStream extends AsyncIterable<NarrationEvent> {
  readonly stats: Readonly<NarrationStats>;
}

interface PendingNarration {
  readonly scene: number;
  readonly mergedScenes: number[];
  readonly start: number;
  end: number;
  closedBy: SceneCloseReason;
  /** The scene's frames (at most `maxSceneFrames`); the per-scene graph picks its frames among them. */
  frames: readonly VideoFrame[];
  closedAt: number;
}

/** The pipeline narration runs when none is given. */
export const defaultNarrationPipeline = 'scenetilling';

/** An encoder whose calls take turns with generation steps through the lane. */
function laneEncoder(encoder: VisualEncoder, lane: InferenceLane): VisualEncoder {
  return {
    ...encoder,
    name: encoder.name,
    dim: encoder.dim,
    inputSize: encoder.inputSize,
    grid: encoder.grid,
    ...(encoder.geometry ? { geometry: encoder.geometry } : {}),
    encodeFrames: (frames, options) => lane.run('encode', () => encoder.encodeFrames(frames, options)),
    encodeImage: (image, options) => lane.run('encode', () => encoder.encodeImage(image, options)),
  };
}

/** The visual tokens of a scene as one grid (`[T, h, w, D]` when every segment is a pooled frame), for its memory. */
function memoryOf(segments: readonly VisualSegment[], memoryTokens: number): RememberedScene['memory'] {
  const first = segments[0]!;
  const regular = segments.every(
    (segment) => segment.layout && segment.layout.h === first.layout?.h && segment.layout.w === first.layout?.w,
  );
  const count = segments.reduce((sum, segment) => sum + segment.count, 0);
  const data = new Float32Array(count * first.dim);
  let offset = 0;
  for (const segment of segments) {
    data.set(segment.tokens.subarray(0, segment.count * first.dim), offset);
    offset += segment.count * first.dim;
  }
  const timestamps = segments.flatMap((segment) => segment.timestamps);
  const indices = segments.flatMap((segment) => segment.frameIndices);
  const T = regular ? segments.reduce((sum, segment) => sum + segment.layout!.t, 0) : 1;
  const h = regular ? first.layout!.h : 1;
  const w = regular ? first.layout!.w : count;
  const times =
    T === timestamps.length
      ? timestamps
      : Array.from({ length: T }, (_, t) => timestamps[Math.min(timestamps.length - 1, t)] ?? 0);
  const frames =
    T === indices.length ? indices : Array.from({ length: T }, (_, t) => indices[Math.min(indices.length - 1, t)] ?? 0);
  return sceneMemory(featureGrid(T, h, w, first.dim, data, times, frames), { maxTokens: memoryTokens });
}

/** Frames shown of a scene `seconds` long at `perSecond` frames a second: at least one. */
export function shownFrames(seconds: number, perSecond: number): number {
  if (perSecond === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  return Math.max(1, Math.round(seconds * perSecond));
}

function sleep(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || milliseconds <= 0) return resolve();
    const timer = setTimeout(done, milliseconds);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

class NarrationRun implements NarrationStream {
  readonly stats: NarrationStats = {
    framesReceived: 0,
    framesDropped: 0,
    peakBufferedFrames: 0,
    peakHeldFrames: 0,
    peakPendingScenes: 0,
    peakRememberedScenes: 0,
    scenesClosed: 0,
    scenesMerged: 0,
    framesThinned: 0,
    narrations: 0,
    reconnects: 0,
    inferenceMilliseconds: 0,
    encodeMilliseconds: 0,
    prefillMilliseconds: 0,
  };
  private readonly settings: ResolvedNarrateOptions;
  private readonly channel = new EventChannel<NarrationEvent>();
  private readonly stopper = new AbortController();
  private readonly lane = new InferenceLane((kind, milliseconds) => {
    this.stats.inferenceMilliseconds += milliseconds;
    if (kind === 'encode') this.stats.encodeMilliseconds += milliseconds;
    else if (kind === 'prefill') this.stats.prefillMilliseconds += milliseconds;
  });
  private readonly pending: PendingNarration[] = [];
  private remembered: RememberedScene[] = [];
  private previousNarration = '';
  private intakeFinished = false;
  private wakeNarrator: (() => void) | undefined;
  private wakeIntake: (() => void) | undefined;
  /** Live sources and realtime playback cannot wait for the narrator; files read at full speed can. */
  private readonly live: boolean;
  private iterated = false;

  constructor(
    private readonly source: string,
    private readonly options: NarrateOptions,
  ) {
    this.settings = resolveNarrateOptions(options);
    this.live = isLiveInput(source) || this.settings.realtime;
  }

  private get stopped(): boolean {
    return this.stopper.signal.aborted;
  }

  private emit(event: NarrationEvent): void {
    this.channel.push(event);
  }

  private stop(): void {
    this.stopper.abort();
    this.notifyNarrator();
    this.notifyIntake();
  }

  private notifyIntake(): void {
    const wake = this.wakeIntake;
    this.wakeIntake = undefined;
    wake?.();
  }

  private notifyNarrator(): void {
    const wake = this.wakeNarrator;
    this.wakeNarrator = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<NarrationEvent, void> {
    if (this.iterated) throw new RangeError('a narration stream can be iterated once');
    this.iterated = true;
    const signal = this.options.signal;
    const onAbort = (): void => this.stop();
    if (signal?.aborted) this.stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    const running = this.run();
    let finished = false;
    try {
      yield* this.channel;
      finished = true;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!finished) this.stop();
      await running;
    }
  }

  /** Runs intake and narrator; always settles (errors go to the channel). */
  private async run(): Promise<void> {
    const settings = this.settings;
    let model: VlmModel | undefined;
    let owned = false;
    let narrator: Promise<void> | undefined;
    let failure: { error: unknown } | undefined;
    try {
      // A missing file or a refused URL scheme fails before the model is loaded.
      await classifyInput(this.source);
      if (typeof this.options.model === 'object') model = this.options.model;
      else {
        owned = true;
        model = await openNarrationModel(this.options.model ?? defaultNarrationModel, {
          ...(this.options.dtype !== undefined ? { dtype: this.options.dtype } : {}),
          ...(this.options.threads !== undefined ? { threads: this.options.threads } : {}),
          ...(this.options.device !== undefined ? { device: this.options.device } : {}),
          ...(this.options.quantizedCompute !== undefined ? { quantizedCompute: this.options.quantizedCompute } : {}),
          ...(this.options.onNotice ? { onNotice: this.options.onNotice } : {}),
          signal: this.stopper.signal,
        });
      }
      const pipeline: PipelineDefinition =
        typeof this.options.pipeline === 'object'
          ? this.options.pipeline
          : await resolvePipeline(this.options.pipeline ?? defaultNarrationPipeline, { signal: this.stopper.signal });
      const encoder = model.encoder({ batchSize: 1 });
      const plan = planNarration(pipeline, {
        encoder,
        defaults: {
          sceneFrames: settings.sceneFrames,
          memoryTokens: settings.memoryTokens,
          memoryScenes: settings.memoryScenes,
        },
        overrides: {
          sceneFrames: this.options.sceneFrames,
          memoryTokens: this.options.memoryTokens,
          memoryScenes: this.options.memoryScenes,
        },
        contextWindow: model.info.contextWindow,
        ...(this.options.budget !== undefined ? { budget: this.options.budget } : {}),
      });
      const feed = openFrameFeed(this.source, {
        fps: settings.fps,
        size: encoder.inputSize,
        realtime: settings.realtime,
        bufferFrames: settings.bufferFrames,
        reconnectAttempts: settings.reconnectAttempts,
        initialDelayMilliseconds: settings.initialDelayMilliseconds,
        maxDelayMilliseconds: settings.maxDelayMilliseconds,
        stallMilliseconds: settings.stallMilliseconds,
        signal: this.stopper.signal,
        ...(this.options.stdin ? { stdin: this.options.stdin } : {}),
        onReconnect: (attempt, delayMilliseconds, reason) => {
          this.stats.reconnects += 1;
          this.emit({ type: 'source-reconnect', attempt, delayMilliseconds, reason });
        },
      });
      const narratorModel = model;
      const sceneEncoder = laneEncoder(model.encoder({ batchSize: Math.min(8, plan.sceneFrames) }), this.lane);
      narrator = this.narrateScenes(narratorModel, sceneEncoder, plan).catch((error: unknown) => {
        this.stop();
        throw error;
      });
      narrator.catch(() => undefined);
      try {
        await this.intake(feed, encoder, plan);
      } finally {
        this.intakeFinished = true;
        this.notifyNarrator();
      }
      await narrator;
    } catch (error) {
      failure = { error };
      this.stop();
      await narrator?.catch(() => undefined);
    } finally {
      if (owned && model) await model.dispose().catch(() => undefined);
      this.pending.length = 0;
    }
    if (failure && !(this.stopped && this.options.signal?.aborted)) this.channel.fail(failure.error);
    else this.channel.end();
  }

  private async intake(feed: FrameFeed, encoder: VisualEncoder, plan: NarrationPlan): Promise<void> {
    const settings = this.settings;
    const tracker = new SceneTracker({
      detector: {
        rule: settings.sceneRule,
        threshold: settings.sceneThreshold,
        ratio: settings.sceneRatio,
        alpha: settings.sceneAlpha,
        minDepth: settings.sceneMinDepth,
        minSceneSeconds: settings.minSceneSeconds,
        maxSceneSeconds: settings.maxSceneSeconds,
        ...plan.detector,
        frameInterval: 1 / settings.fps,
      },
      descriptor: this.options.sceneDescriptor ?? plan.descriptor ?? settings.sceneDescriptor,
      maxSceneFrames: settings.maxSceneFrames,
      sceneFrames: plan.sceneFrames,
      memoryTokens: plan.memoryTokens,
      keepFrames: true,
    });
    let reportedDrops = 0;
    let lastTime = 0;
    const reportDrops = (): void => {
      const dropped = feed.dropped;
      this.stats.framesDropped = dropped;
      if (dropped > reportedDrops) {
        this.emit({ type: 'frame-dropped', count: dropped - reportedDrops, total: dropped, at: lastTime });
        reportedDrops = dropped;
      }
    };
    for await (const frame of feed) {
      if (this.stopped) break;
      this.stats.framesReceived += 1;
      lastTime = frame.pts;
      this.stats.peakBufferedFrames = Math.max(this.stats.peakBufferedFrames, feed.peakBuffered);
      reportDrops();
      // The HSV descriptor needs no model; the model's features are encoded per frame only when the detector uses them.
      const grid = tracker.needsTokens ? await this.lane.run('encode', () => encoder.encodeFrames([frame])) : undefined;
      if (this.stopped) break;
      await this.handle(tracker.push(grid, frame, frame.pts));
      this.stats.peakHeldFrames = Math.max(this.stats.peakHeldFrames, tracker.peakHeldFrames);
    }
    reportDrops();
    if (!this.stopped) await this.handle(tracker.end());
  }

  private async handle(events: readonly SceneTrackerEvent[]): Promise<void> {
    for (const event of events) {
      if (event.kind === 'start') {
        this.emit({ type: 'scene-start', scene: event.scene, start: event.start });
        continue;
      }
      this.stats.scenesClosed += 1;
      // A file read at full speed waits for the narrator (every scene is narrated on its own); a live source cannot
      // wait, so there a full queue folds the scene into the last waiting one.
      while (!this.live && !this.stopped && this.pending.length >= this.settings.maxPendingScenes) {
        await new Promise<void>((resolve) => {
          this.wakeIntake = resolve;
        });
      }
      this.enqueue(event.scene);
    }
  }

  private enqueue(scene: ClosedScene): void {
    this.stats.framesThinned += scene.thinnedFrames;
    const last = this.pending[this.pending.length - 1];
    if (last && this.pending.length >= this.settings.maxPendingScenes) {
      // The narrator is behind: fold this scene into the last waiting one instead of queueing without bound, and say so.
      last.frames = evenlySpaced([...last.frames, ...scene.videoFrames], this.settings.maxSceneFrames);
      last.mergedScenes.push(scene.scene);
      last.end = scene.end;
      last.closedBy = scene.closedBy;
      last.closedAt = scene.closedAt;
      this.stats.scenesMerged += 1;
      this.emit({
        type: 'scene-merged',
        scene: scene.scene,
        into: last.scene,
        total: this.stats.scenesMerged,
        pendingScenes: this.pending.length,
      });
    } else {
      this.pending.push({
        scene: scene.scene,
        mergedScenes: [],
        start: scene.start,
        end: scene.end,
        closedBy: scene.closedBy,
        frames: scene.videoFrames,
        closedAt: scene.closedAt,
      });
    }
    this.stats.peakPendingScenes = Math.max(this.stats.peakPendingScenes, this.pending.length);
    this.notifyNarrator();
  }

  private async nextPending(): Promise<PendingNarration | undefined> {
    for (;;) {
      if (this.stopped) return undefined;
      const job = this.pending.shift();
      if (job) {
        this.notifyIntake();
        return job;
      }
      if (this.intakeFinished) return undefined;
      await new Promise<void>((resolve) => {
        this.wakeNarrator = resolve;
      });
    }
  }

  private async narrateScenes(model: VlmModel, encoder: VisualEncoder, plan: NarrationPlan): Promise<void> {
    for (;;) {
      const job = await this.nextPending();
      if (!job) return;
      await this.narrateOne(model, encoder, plan, job);
    }
  }

  /** The per-scene graph over the scene's frames: its token stream, with the memories of earlier scenes first. */
  private async sceneTokens(
    encoder: VisualEncoder,
    plan: NarrationPlan,
    job: PendingNarration,
    memories: readonly RememberedScene[],
  ): Promise<{ stream: TokenStream; picked: VideoFrame[]; memory: RememberedScene['memory'] }> {
    // A scene stage shows at most `sceneFramesPerSecond` frames per second of the scene (each is a vision encode);
    // another pipeline keeps its own frame count.
    const fixedCount = plan.sceneDefinition.stages.some((stage) => stage.id === 'scene-pool')
      ? Math.min(
          plan.sceneFrames,
          job.frames.length,
          shownFrames(job.end - job.start, this.settings.sceneFramesPerSecond),
        )
      : plan.sceneFrames;
    // A rule that takes fewer frames than asked from a short scene (seq_frames) falls back to evenly spaced repeats,
    // so a pipeline that needs its frame count (SlowFast's slow pathway) gets it.
    let indices = frameIndices(plan.frameRule, job.frames.length, fixedCount);
    if (indices.length < fixedCount) indices = frameIndices('np_linspace_int', job.frames.length, fixedCount);
    const picked = indices.map((index) => job.frames[Math.min(job.frames.length - 1, index)]!);
    const graph = sceneGraph(plan, encoder, picked.length, { width: picked[0]!.width, height: picked[0]!.height });
    const result = await runGraph(graph, picked, { encoder, signal: this.stopper.signal });
    const segments = result.stream.segments.filter((segment): segment is VisualSegment => segment.type === 'visual');
    const memorySegments = memories.map((remembered) => ({
      type: 'visual' as const,
      role: 'memory' as const,
      tokens: remembered.memory.tokens,
      count: remembered.memory.count,
      dim: remembered.memory.dim,
      timestamps: remembered.memory.timestamps,
      frameIndices: remembered.memory.frameIndices,
      ...(remembered.memory.layout ? { layout: remembered.memory.layout } : {}),
    }));
    const stream: TokenStream = {
      dim: result.stream.dim,
      segments: [...memorySegments, ...result.stream.segments],
      metadata: {
        ...result.stream.metadata,
        pipeline: plan.pipeline.name,
        params: { ...result.stream.metadata.params, memoryScenes: memories.map((remembered) => remembered.scene) },
        approximation: [
          result.stream.metadata.approximation,
          "narrate: earlier scenes are remembered as pooled memory tokens (training-free stand-in for VideoLLaMB's memory bridge).",
        ]
          .filter(Boolean)
          .join(' '),
      },
    };
    return { stream, picked, memory: memoryOf(segments, plan.memoryTokens) };
  }

  private async narrateOne(
    model: VlmModel,
    encoder: VisualEncoder,
    plan: NarrationPlan,
    job: PendingNarration,
  ): Promise<void> {
    const settings = this.settings;
    const memories = plan.memoryScenes === 0 ? [] : this.remembered.slice(-plan.memoryScenes);
    const { stream, picked, memory } = await this.sceneTokens(encoder, plan, job, memories);
    const question = narrationQuestion(settings.prompt, this.previousNarration);
    let text = '';
    let generatedTokens = 0;
    let interrupted = false;
    const session = await this.lane.run('prefill', () => model.createSession(stream));
    try {
      const generation = session.ask(question, {
        maxNewTokens: settings.maxNewTokens,
        temperature: settings.temperature,
      });
      const iterator = generation[Symbol.asyncIterator]();
      let done = false;
      try {
        while (!done) {
          if (this.stopped) {
            interrupted = true;
            break;
          }
          const next = await this.lane.run('generate', async () => {
            const result = await iterator.next();
            if (!result.done && settings.stepDelayMilliseconds > 0)
              await sleep(settings.stepDelayMilliseconds, this.stopper.signal);
            return result;
          });
          if (next.done) {
            done = true;
            break;
          }
          if (next.value.tokenId >= 0) generatedTokens += 1;
          if (next.value.text !== '') {
            text += next.value.text;
            this.emit({ type: 'narration-delta', scene: job.scene, text: next.value.text });
          }
        }
      } finally {
        if (!done) await iterator.return?.(undefined).catch(() => undefined);
      }
    } finally {
      await session.dispose();
    }
    this.stats.narrations += 1;
    this.emit({
      type: 'narration-end',
      scene: job.scene,
      mergedScenes: job.mergedScenes,
      start: job.start,
      end: job.end,
      text,
      closedBy: job.closedBy,
      interrupted,
      generatedTokens,
      frames: picked.length,
      frameTimes: picked.map((frame) => Math.round(frame.pts * 1e6) / 1e6),
      ...(settings.thumbnails ? { thumbnails: sceneThumbnails(picked, settings.thumbnailWidth) } : {}),
      memoryTokens: memories.reduce((sum, remembered) => sum + remembered.memory.count, 0),
      visualTokens: stream.segments.reduce((sum, segment) => sum + (segment.type === 'visual' ? segment.count : 0), 0),
      pendingScenes: this.pending.length,
      latencyMilliseconds: Math.round((performance.now() - job.closedAt) * 10) / 10,
    });
    if (text.trim() !== '') this.previousNarration = text;
    this.remembered = [...this.remembered, { scene: job.scene, memory }].slice(-Math.max(1, plan.memoryScenes));
    this.stats.peakRememberedScenes = Math.max(
      this.stats.peakRememberedScenes,
      Math.min(this.remembered.length, plan.memoryScenes),
    );
  }
}

/**
 * Narrates `source` (a file, `-` for stdin, or an rtsp/http(s)/udp URL) scene by scene. Options are checked at once
 * (UsageError); the model is loaded and the source opened when iteration starts.
 */
export function narrateStream(source: string, options: NarrateOptions = {}): NarrationStream {
  return new NarrationRun(source, options);
}

/**
 * @file `narrateStream(source, options)`: live narration of a video source as an async iterable of NarrationEvents.
 *
 * Two tasks share one model. Intake takes frames at a low fps from a bounded drop-oldest buffer (for live and
 * realtime sources), encodes each with the model's vision encoder and feeds its mean token to the scene tracker
 * (streaming SceneTilling plus min/max scene lengths); a closed scene joins a bounded queue. The narrator takes
 * scenes from that queue one by one and streams the model's answer for the scene's frames, conditioned on the
 * memory tokens of the last `memoryScenes` narrated scenes and the previous narration text. Inference runs in the
 * child runner, so this event loop keeps taking frames while a scene is narrated; encodes and generation steps take
 * turns through an InferenceLane, and when intake still falls behind the live buffer drops the oldest frames and
 * `frame-dropped` events report it. Everything held is bounded: the live buffer, the open scene's frames, the
 * waiting scenes (beyond `maxPendingScenes` a live source merges them; a file read at full speed waits) and the
 * remembered scenes.
 *
 * Aborting `options.signal` (or leaving the iteration early) stops intake, cuts the current narration between two
 * tokens (its `narration-end` has `interrupted: true`), drops scenes not yet narrated, disposes what this call
 * opened, and ends the iteration normally.
 */
import type { FeatureGrid } from '../core/feature-grid.js';
import type { VisualEncoder } from '../core/encoder.js';
import { classifyInput, isLiveInput } from '../ingest/index.js';
import type { VlmModel } from '../runtime/index.js';
import { EventChannel } from './event-channel.js';
import { openFrameFeed, type FrameFeed } from './frame-feed.js';
import { InferenceLane } from './inference-lane.js';
import type { NarrationEvent, SceneCloseReason } from './narration-events.js';
import { resolveNarrateOptions, type NarrateOptions, type ResolvedNarrateOptions } from './narration-options.js';
import { narrationQuestion, narrationTokenStream, type RememberedScene } from './narration-prompt.js';
import { defaultNarrationModel, openNarrationModel } from './open-narration-model.js';
import { evenlySpaced, SceneTracker, splitFrameGrids, stackFrameGrids, type ClosedScene, type SceneTrackerEvent } from '../scenes/scene-tracker.js';

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
  narrations: number;
  reconnects: number;
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
  frames: FeatureGrid;
  readonly memories: RememberedScene[];
  closedAt: number;
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
    narrations: 0,
    reconnects: 0,
  };
  private readonly settings: ResolvedNarrateOptions;
  private readonly channel = new EventChannel<NarrationEvent>();
  private readonly stopper = new AbortController();
  private readonly lane = new InferenceLane();
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
          signal: this.stopper.signal,
        });
      }
      const encoder = model.encoder({ batchSize: 1 });
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
      narrator = this.narrateScenes(narratorModel, encoder.name).catch((error: unknown) => {
        this.stop();
        throw error;
      });
      narrator.catch(() => undefined);
      try {
        await this.intake(feed, encoder);
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

  private async intake(feed: FrameFeed, encoder: VisualEncoder): Promise<void> {
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
        frameInterval: 1 / settings.fps,
      },
      descriptor: settings.sceneDescriptor,
      maxSceneFrames: settings.maxSceneFrames,
      sceneFrames: settings.sceneFrames,
      memoryTokens: settings.memoryTokens,
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
      const grid = await this.lane.run(() => encoder.encodeFrames([frame]));
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
    const remembered: RememberedScene = { scene: scene.scene, memory: scene.memory };
    const last = this.pending[this.pending.length - 1];
    if (last && this.pending.length >= this.settings.maxPendingScenes) {
      // The narrator is behind: fold this scene into the last waiting one instead of queueing without bound.
      const frames = [...splitFrameGrids(last.frames), ...splitFrameGrids(scene.frames)];
      last.frames = stackFrameGrids(evenlySpaced(frames, this.settings.sceneFrames));
      last.mergedScenes.push(scene.scene);
      last.end = scene.end;
      last.closedBy = scene.closedBy;
      last.closedAt = scene.closedAt;
      last.memories.push(remembered);
      if (last.memories.length > this.settings.memoryScenes + 1) last.memories.splice(0, last.memories.length - this.settings.memoryScenes - 1);
    } else {
      this.pending.push({
        scene: scene.scene,
        mergedScenes: [],
        start: scene.start,
        end: scene.end,
        closedBy: scene.closedBy,
        frames: scene.frames,
        memories: [remembered],
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

  private async narrateScenes(model: VlmModel, encoderName: string): Promise<void> {
    for (;;) {
      const job = await this.nextPending();
      if (!job) return;
      await this.narrateOne(model, encoderName, job);
    }
  }

  private async narrateOne(model: VlmModel, encoderName: string, job: PendingNarration): Promise<void> {
    const settings = this.settings;
    const memories = settings.memoryScenes === 0 ? [] : this.remembered.slice(-settings.memoryScenes);
    const stream = narrationTokenStream(job.frames, memories, encoderName);
    const question = narrationQuestion(settings.prompt, this.previousNarration);
    let text = '';
    let generatedTokens = 0;
    let interrupted = false;
    const session = await this.lane.run(() => model.createSession(stream));
    try {
      const generation = session.ask(question, { maxNewTokens: settings.maxNewTokens, temperature: settings.temperature });
      const iterator = generation[Symbol.asyncIterator]();
      let done = false;
      try {
        while (!done) {
          if (this.stopped) {
            interrupted = true;
            break;
          }
          const next = await this.lane.run(async () => {
            const result = await iterator.next();
            if (!result.done && settings.stepDelayMilliseconds > 0) await sleep(settings.stepDelayMilliseconds, this.stopper.signal);
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
      frames: job.frames.T,
      memoryTokens: memories.reduce((sum, remembered) => sum + remembered.memory.count, 0),
      latencyMilliseconds: Math.round((performance.now() - job.closedAt) * 10) / 10,
    });
    if (text.trim() !== '') this.previousNarration = text;
    this.remembered = [...this.remembered, ...job.memories].slice(-Math.max(1, settings.memoryScenes));
    this.stats.peakRememberedScenes = Math.max(this.stats.peakRememberedScenes, Math.min(this.remembered.length, settings.memoryScenes));
  }
}

/**
 * Narrates `source` (a file, `-` for stdin, or an rtsp/http(s)/udp URL) scene by scene. Options are checked at once
 * (UsageError); the model is loaded and the source opened when iteration starts.
 */
export function narrateStream(source: string, options: NarrateOptions = {}): NarrationStream {
  return new NarrationRun(source, options);
}

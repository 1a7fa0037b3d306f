/**
 * @file Options of `narrateStream` with their defaults and validation. Bad values throw UsageError naming the option.
 */
import type { Readable } from 'node:stream';
import { UsageError } from '../errors/index.js';
import type { PipelineDefinition } from '../graph/pipeline-definition.js';
import type { ExecutionDevice, QuantizedCompute, VlmModel } from '../runtime/index.js';
import type { SceneDescriptorKind } from '../scenes/scene-descriptor.js';
import { sceneDetectorDefaults, type SceneCutRule } from '../scenes/streaming-scene-detector.js';

export interface ReconnectOptions {
  /** Consecutive failed connections (no frame received) before giving up (default 8). */
  readonly attempts?: number;
  /** First delay, doubled after every failed attempt (default 500 ms). */
  readonly initialDelayMilliseconds?: number;
  /** Longest delay (default 15 s). */
  readonly maxDelayMilliseconds?: number;
  /** A live source that delivers no frame for this long is closed and reconnected (default 20 s). */
  readonly stallMilliseconds?: number;
}

export interface NarrateOptions {
  /**
   * The pipeline that drives narration (src/narration/narration-plan.ts): a built-in name, a pipeline file, or a
   * definition (default `scenetilling`).
   */
  readonly pipeline?: string | PipelineDefinition;
  /** Visual-token budget of one narration prompt (memories + scene); default the pipeline's. */
  readonly budget?: number;
  /** Add PNG thumbnails of the frames each narration saw to its `narration-end` (default false). */
  readonly thumbnails?: boolean;
  /** Thumbnail width in pixels (default 96). */
  readonly thumbnailWidth?: number;
  /** A loaded model (the caller disposes it) or an alias / `owner/name` / directory (loaded with the child runner). */
  readonly model?: VlmModel | string;
  /** `--dtype` for a model named by string: one dtype or `graph=dtype` pairs (default: the alias's pull dtypes). */
  readonly dtype?: string;
  readonly threads?: number;
  /** Where a model named by string runs: `cpu` (default), `cuda` (an error when unavailable) or `auto`. */
  readonly device?: ExecutionDevice;
  /** How MatMulNBits graphs compute on the CPU (default auto; see docs/runtime.md). */
  readonly quantizedCompute?: QuantizedCompute;
  /** One line per fallback the model load made (`device auto: running on the CPU (…)`). */
  readonly onNotice?: (message: string) => void;
  /** Frames per second decoded for scene detection; the frames a narration shows are chosen among them (default 2). */
  readonly fps?: number;
  /** Play a file at real speed like a live source (frames may be dropped). */
  readonly realtime?: boolean;
  /** Capacity of the drop-oldest frame buffer for live/realtime sources (default 8). */
  readonly bufferFrames?: number;
  /** A scene still open after this long is closed (default 30 s). */
  readonly maxSceneSeconds?: number;
  /** A cut that would close a scene shorter than this is ignored (default 1 s). */
  readonly minSceneSeconds?: number;
  /**
   * Cut rule of the streaming scene detector (src/scenes): `threshold` (default; descriptor distance >=
   * `sceneThreshold`, 0.3, and >= `sceneRatio`, 3, times the open scene's recent mean) or `depth` (SceneTilling).
   */
  readonly sceneRule?: SceneCutRule;
  readonly sceneThreshold?: number;
  readonly sceneRatio?: number;
  /** What the detector compares: `hsv` (default: no per-frame encode), `hsv+model` (every frame encoded) or `model`. */
  readonly sceneDescriptor?: SceneDescriptorKind;
  /** Depth rule: SceneTilling threshold factor (default 0.5) and minimum cut depth (default 0.05). */
  readonly sceneAlpha?: number;
  readonly sceneMinDepth?: number;
  /** Frames of the current scene held at most; beyond that every other frame is dropped (default 64). */
  readonly maxSceneFrames?: number;
  /** Frames of a scene given to the model at most (evenly spaced, default 8) when the pipeline does not say. */
  readonly sceneFrames?: number;
  /**
   * Frames shown to the model per second of a scene, at most (default 0.5, `defaultSceneFramesPerSecond`): a scene of
   * `d` seconds shows `max(1, round(d x rate))` frames, never more than `sceneFrames`. Every shown frame goes through
   * the vision encoder, the largest cost of narration on a CPU, so this bounds the encoder's work per second of video
   * (docs/narrate.md, "Keeping up on a CPU"). Applies to scene-stage pipelines (`scenetilling`, `scene-stream`);
   * another pipeline keeps its own frame count. `Infinity` shows `sceneFrames` frames of every scene.
   */
  readonly sceneFramesPerSecond?: number;
  /** Earlier scenes remembered as memory tokens (default 4) and tokens per memory (default 32), unless the pipeline says. */
  readonly memoryScenes?: number;
  readonly memoryTokens?: number;
  /**
   * Closed scenes waiting for the narrator at most (default 2). Beyond it a live or realtime source folds the scene
   * into the last waiting one; a file read at full speed waits for the narrator instead.
   */
  readonly maxPendingScenes?: number;
  /** Instruction for each scene (default: a one-sentence narration request). */
  readonly prompt?: string;
  /** Tokens generated per scene at most (default 32, `defaultNarrationMaxNewTokens`). */
  readonly maxNewTokens?: number;
  /** Sampling temperature (default 0: greedy). */
  readonly temperature?: number;
  readonly reconnect?: ReconnectOptions;
  /** Simulates a slower model (tests, benchmarks): extra milliseconds of inference time per generated token. */
  readonly stepDelayMilliseconds?: number;
  /** The stream read for source `-` (default process.stdin). */
  readonly stdin?: Readable;
  /** Aborting stops intake, cuts the current narration, flushes its narration-end and ends the stream. */
  readonly signal?: AbortSignal;
}

/** The model used when none is named. */
export const defaultNarrationModel = 'smolvlm2-256m';

export const defaultNarrationPrompt = 'Narrate what happens in this scene in one short sentence.';

/** Frames decoded per second by default (scene detection was tuned at this rate: docs/narrate.md, "Scene detection"). */
export const defaultNarrationFps = 2;

/**
 * Tokens generated per scene at most, by default: one short sentence (about 24 words); with 48 a model that does not
 * stop falls behind on a 2-core CPU (docs/narrate.md, "Keeping up on a CPU").
 */
export const defaultNarrationMaxNewTokens = 32;

/** Frames shown per second of a scene by default (the choice and its figures: docs/narrate.md, "Keeping up on a CPU"). */
export const defaultSceneFramesPerSecond = 0.5;

export interface ResolvedNarrateOptions {
  readonly fps: number;
  readonly realtime: boolean;
  readonly bufferFrames: number;
  readonly maxSceneSeconds: number;
  readonly minSceneSeconds: number;
  readonly sceneRule: SceneCutRule;
  readonly sceneThreshold: number;
  readonly sceneRatio: number;
  readonly sceneDescriptor: SceneDescriptorKind;
  readonly sceneAlpha: number;
  readonly sceneMinDepth: number;
  readonly maxSceneFrames: number;
  readonly sceneFrames: number;
  readonly sceneFramesPerSecond: number;
  readonly memoryScenes: number;
  readonly memoryTokens: number;
  readonly maxPendingScenes: number;
  readonly prompt: string;
  readonly maxNewTokens: number;
  readonly temperature: number;
  readonly reconnectAttempts: number;
  readonly initialDelayMilliseconds: number;
  readonly maxDelayMilliseconds: number;
  readonly stallMilliseconds: number;
  readonly stepDelayMilliseconds: number;
  readonly thumbnails: boolean;
  readonly thumbnailWidth: number;
}

function numberOption(
  name: string,
  value: number | undefined,
  fallback: number,
  minimum: number,
  maximum: number,
  integer = false,
): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < minimum ||
    value > maximum ||
    (integer && !Number.isInteger(value))
  ) {
    throw new UsageError(
      `${name} must be ${integer ? 'an integer' : 'a number'} in [${minimum}, ${maximum}], got ${String(value)}`,
    );
  }
  return value;
}

function choiceOption<Choice extends string>(
  name: string,
  value: Choice | undefined,
  fallback: Choice,
  choices: readonly Choice[],
): Choice {
  if (value === undefined) return fallback;
  if (!choices.includes(value))
    throw new UsageError(`${name} must be one of ${choices.join(', ')}, got ${String(value)}`);
  return value;
}

/** Applies defaults and checks ranges. */
export function resolveNarrateOptions(options: NarrateOptions): ResolvedNarrateOptions {
  const maxSceneSeconds = numberOption('maxSceneSeconds', options.maxSceneSeconds, 30, 0.1, 86_400);
  const minSceneSeconds = numberOption('minSceneSeconds', options.minSceneSeconds, 1, 0, 86_400);
  if (minSceneSeconds > maxSceneSeconds)
    throw new UsageError(`minSceneSeconds (${minSceneSeconds}) must not exceed maxSceneSeconds (${maxSceneSeconds})`);
  const reconnect = options.reconnect ?? {};
  const initialDelayMilliseconds = numberOption(
    'reconnect.initialDelayMilliseconds',
    reconnect.initialDelayMilliseconds,
    500,
    0,
    600_000,
  );
  const prompt = options.prompt ?? defaultNarrationPrompt;
  if (prompt.trim() === '') throw new UsageError('prompt must not be empty');
  if (options.budget !== undefined && !(Number.isInteger(options.budget) && options.budget >= 1))
    throw new UsageError(`budget must be a positive integer, got ${String(options.budget)}`);
  return {
    fps: numberOption('fps', options.fps, defaultNarrationFps, 0.01, 60),
    realtime: options.realtime ?? false,
    bufferFrames: numberOption('bufferFrames', options.bufferFrames, 8, 1, 10_000, true),
    maxSceneSeconds,
    minSceneSeconds,
    sceneRule: choiceOption('sceneRule', options.sceneRule, sceneDetectorDefaults.rule, ['threshold', 'depth']),
    sceneThreshold: numberOption('sceneThreshold', options.sceneThreshold, sceneDetectorDefaults.threshold, 0, 2),
    sceneRatio: numberOption('sceneRatio', options.sceneRatio, sceneDetectorDefaults.ratio, 0, 1000),
    sceneDescriptor: choiceOption('sceneDescriptor', options.sceneDescriptor, 'hsv', ['hsv', 'hsv+model', 'model']),
    sceneAlpha: numberOption('sceneAlpha', options.sceneAlpha, 0.5, 0, 10),
    sceneMinDepth: numberOption('sceneMinDepth', options.sceneMinDepth, 0.05, 0, 4),
    maxSceneFrames: numberOption('maxSceneFrames', options.maxSceneFrames, 64, 2, 100_000, true),
    sceneFrames: numberOption('sceneFrames', options.sceneFrames, 8, 1, 256, true),
    sceneFramesPerSecond:
      options.sceneFramesPerSecond === Number.POSITIVE_INFINITY
        ? Number.POSITIVE_INFINITY
        : numberOption('sceneFramesPerSecond', options.sceneFramesPerSecond, defaultSceneFramesPerSecond, 0.01, 60),
    memoryScenes: numberOption('memoryScenes', options.memoryScenes, 4, 0, 1024, true),
    memoryTokens: numberOption('memoryTokens', options.memoryTokens, 32, 1, 4096, true),
    maxPendingScenes: numberOption('maxPendingScenes', options.maxPendingScenes, 2, 1, 1024, true),
    prompt,
    maxNewTokens: numberOption('maxNewTokens', options.maxNewTokens, defaultNarrationMaxNewTokens, 1, 4096, true),
    temperature: numberOption('temperature', options.temperature, 0, 0, 10),
    reconnectAttempts: numberOption('reconnect.attempts', reconnect.attempts, 8, 0, 1_000_000, true),
    initialDelayMilliseconds,
    maxDelayMilliseconds: Math.max(
      initialDelayMilliseconds,
      numberOption('reconnect.maxDelayMilliseconds', reconnect.maxDelayMilliseconds, 15_000, 0, 3_600_000),
    ),
    stallMilliseconds: numberOption('reconnect.stallMilliseconds', reconnect.stallMilliseconds, 20_000, 100, 3_600_000),
    stepDelayMilliseconds: numberOption('stepDelayMilliseconds', options.stepDelayMilliseconds, 0, 0, 60_000),
    thumbnails: options.thumbnails ?? false,
    thumbnailWidth: numberOption('thumbnailWidth', options.thumbnailWidth, 96, 8, 640, true),
  };
}

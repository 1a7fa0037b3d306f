/**
 * @file The shape of a declarative pipeline (a `pipelines/*.yaml` file after validation): how frames are chosen, the
 * stages and how they are wired, the output stage, the default token budget and what to do when it is exceeded.
 */
import type { FrameIndexRule } from '../sampling/frame-indices.js';

/** Which frames a pipeline decodes: a count with a named index rule, a rate, or scene changes. */
export interface FramesSpec {
  /** Number of frames chosen by `rule` over the stream's frame count. */
  readonly count?: number;
  readonly rule?: FrameIndexRule;
  /** Frames per second (B-VLLM's ~1 fps), bounded by `minFrames`/`maxFrames`. */
  readonly fps?: number;
  readonly minFrames?: number;
  readonly maxFrames?: number;
  /** Scene-change sampling (one frame per detected scene change), at most `maxFrames`. */
  readonly scenes?: { readonly threshold?: number };
  /** How frames are fitted to the encoder's input size. */
  readonly resize?: 'squash' | 'fit' | 'crop';
}

/** How a stage's input ports are bound: one stage id (port `in`), a list (variadic stages) or port → stage id. */
export type StageInputs = string | readonly string[] | Readonly<Record<string, string>>;

export interface StageSpec {
  /** Unique id inside the pipeline; `frames` is reserved for the source. */
  readonly id: string;
  /** Registry name of the stage (`encode`, `pllava`, ...). */
  readonly use: string;
  /** Omitted: the previous stage in the list (the frame source for the first stage). */
  readonly inputs?: StageInputs;
  /** Stage parameters after defaults were applied. */
  readonly params: Readonly<Record<string, unknown>>;
}

/** What to do when the negotiated token count exceeds the budget. */
export type OverBudgetRule = 'fail' | 'reduce-frames';

export interface PipelineDefinition {
  readonly name: string;
  readonly description: string;
  readonly version: number;
  /** Default total visual-token budget of a run (overridable per run). */
  readonly budget: number;
  readonly onOverBudget: OverBudgetRule;
  readonly frames: FramesSpec;
  /** Default encoder spec (`pixels`, `pixels:224/16`, a model directory...). */
  readonly encoder?: string;
  readonly stages: readonly StageSpec[];
  /** Id of the stage whose tokens are the pipeline's output. */
  readonly output: string;
  /** Wording for the model (e.g. IG-VLM's grid-view sentence); passed through to the prompt builder. */
  readonly prompt?: Readonly<Record<string, string>>;
  /** Where the definition came from (file path or `<inline>`), for error messages. */
  readonly source: string;
}

/** The reserved id of the frame source in every pipeline. */
export const sourceStageId = 'frames';

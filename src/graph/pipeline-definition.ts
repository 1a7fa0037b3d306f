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
  /**
   * Which frame of each 1/fps interval: `start` (the first frame shown at or after the interval's start, ingest's
   * fps rule) or `middle` (the frame shown at the interval's middle: B-VLLM's `np.arange(segment_len // 2, n,
   * segment_len)`, the middle frame of each second).
   */
  readonly position?: 'start' | 'middle';
  readonly minFrames?: number;
  readonly maxFrames?: number;
  /** Scene-change sampling (one frame per detected scene change), at most `maxFrames`. */
  readonly scenes?: { readonly threshold?: number };
  /**
   * How frames are fitted to the encoder's input size: `squash` (TS-LLaVA, SlowFast), `crop` (centre crop: PLLaVA,
   * B-VLLM, VideoLLaMB), `fit` (letterbox), or `native` (decoded at the video's own size, for images composed at
   * native resolution such as IG-VLM's grid; long side capped at 1920 px).
   */
  readonly resize?: 'squash' | 'fit' | 'crop' | 'native';
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

/**
 * A token budget: an absolute count, or a sum of multiples of the encoder's numbers, so one pipeline file states a
 * paper's budget on every model family (`{frameTokens: 5, tileTokens: 1}` is TS-LLaVA's 2880 + 576 on a 24x24 grid):
 * `frameTokens` x tokens per frame + `tileTokens` x tokens of one single-tile image + `imageTokens` x the most
 * tokens one image can take through the model's high-resolution path + `tokens`.
 */
export type BudgetSpec =
  | number
  | {
      readonly frameTokens?: number;
      readonly tileTokens?: number;
      readonly imageTokens?: number;
      readonly tokens?: number;
    };

/** A paper's wording for one kind of question. */
export interface PromptWording {
  /** System message for this kind of question (overrides the prompt's `system`). */
  readonly system?: string;
  /** The user text after the video; `{question}` stands for the question (and `{options}` for the options). */
  readonly template: string;
  /** Text the assistant's answer starts with (`Answer: In the video,`); generation continues it. */
  readonly assistantPrefix?: string;
}

/** A paper's wording for multiple-choice questions. */
export interface ChoiceWording extends PromptWording {
  /** How one option is written, with `{letter}` and `{option}` (default `({letter}) {option}`). */
  readonly option?: string;
  /** What separates the options in `{options}` (default a newline). */
  readonly optionSeparator?: string;
}

/** A pipeline's prompt: the paper's system message, open-ended and multiple-choice wording. */
export interface PipelinePrompt {
  /** System message before the video (both kinds of question unless the kind sets its own). */
  readonly system?: string;
  readonly openEnded?: PromptWording;
  readonly multipleChoice?: ChoiceWording;
  /** Where the wording comes from (paper, file and template name), for docs and `inspect`. */
  readonly source?: string;
}

/** What to do when the negotiated token count exceeds the budget. */
export type OverBudgetRule = 'fail' | 'reduce-frames';

export interface PipelineDefinition {
  readonly name: string;
  readonly description: string;
  readonly version: number;
  /** Default total visual-token budget of a run (overridable per run): absolute, or relative to the encoder. */
  readonly budget: BudgetSpec;
  readonly onOverBudget: OverBudgetRule;
  readonly frames: FramesSpec;
  /** Default encoder spec (`pixels`, `pixels:224/16`, a model directory...). */
  readonly encoder?: string;
  readonly stages: readonly StageSpec[];
  /** Id of the stage whose tokens are the pipeline's output. */
  readonly output: string;
  /** The paper's prompt wording (docs/ask.md "Paper prompts"); the uses render it through the family's template. */
  readonly prompt?: PipelinePrompt;
  /** Where the definition came from (file path or `<inline>`), for error messages. */
  readonly source: string;
}

/** The reserved id of the frame source in every pipeline. */
export const sourceStageId = 'frames';

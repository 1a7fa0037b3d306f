/**
 * @file Errors about configuration: CLI usage, pipeline files, stage graphs that do not fit together, budgets.
 * All are raised before any decoding starts.
 */
import { ExitCode } from './exit-codes.js';
import { VidtokError, type VidtokErrorOptions } from './vidtok-error.js';

/** Invalid command-line usage or option value. */
export class UsageError extends VidtokError {
  readonly code = 'USAGE';
  readonly exitCode = ExitCode.usage;
}

/** A pipeline file is invalid; `field` is a JSON pointer to the offending field. */
export class PipelineConfigError extends VidtokError {
  readonly code = 'PIPELINE_INVALID';
  readonly exitCode = ExitCode.configError;
  constructor(
    readonly file: string,
    readonly field: string,
    readonly problem: string,
    options?: VidtokErrorOptions,
  ) {
    super(`${file}: ${field || '/'}: ${problem}`, options);
  }
}

/** Two stages of a graph do not fit together (checked when the graph is built, never mid-stream). */
export class GraphNegotiationError extends VidtokError {
  readonly code = 'GRAPH_MISMATCH';
  readonly exitCode = ExitCode.configError;
  constructor(
    readonly stage: string,
    readonly problem: string,
    options?: VidtokErrorOptions,
  ) {
    super(`stage '${stage}': ${problem}`, options);
  }
}

/** A pipeline would produce more visual tokens than the budget or the model's context window allows. */
export class BudgetExceededError extends VidtokError {
  readonly code = 'BUDGET_EXCEEDED';
  readonly exitCode = ExitCode.limitExceeded;
  constructor(
    readonly what: string,
    readonly needed: number,
    readonly allowed: number,
    options?: VidtokErrorOptions,
  ) {
    super(`${what}: needs ${needed} tokens but the budget is ${allowed} (over by ${needed - allowed})`, options);
  }
}

/** A strategy got parameters that do not fit its input (too few frames, a pooled grid larger than the input...). */
export class StrategyInputError extends VidtokError {
  readonly code = 'STRATEGY_INPUT';
  readonly exitCode = ExitCode.configError;
  constructor(
    readonly strategy: string,
    readonly problem: string,
    options?: VidtokErrorOptions,
  ) {
    super(`${strategy}: ${problem}`, options);
  }
}

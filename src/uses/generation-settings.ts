/**
 * @file Validation of the generation settings the use cases accept (`--max-new-tokens`, `--temperature`, `--top-k`,
 * `--top-p`, `--repetition-penalty`, `--seed`): a UsageError naming the option for anything out of range.
 */
import { UsageError } from '../errors/index.js';
import type { GenerationOptions } from '../runtime/index.js';

export interface GenerationSettingsInput {
  readonly maxNewTokens?: number;
  readonly temperature?: number;
  readonly topK?: number;
  readonly topP?: number;
  readonly repetitionPenalty?: number;
  readonly seed?: number;
}

/** Checks every given setting and returns them as GenerationOptions (absent ones stay absent). */
export function generationSettings(input: GenerationSettingsInput): Omit<GenerationOptions, 'signal'> {
  const { maxNewTokens, temperature, topK, topP, repetitionPenalty, seed } = input;
  if (maxNewTokens !== undefined && (!Number.isInteger(maxNewTokens) || maxNewTokens < 1)) {
    throw new UsageError(`--max-new-tokens ${maxNewTokens}: must be a positive integer`);
  }
  if (temperature !== undefined && (!Number.isFinite(temperature) || temperature < 0)) {
    throw new UsageError(`--temperature ${temperature}: must be a number >= 0 (0 = greedy)`);
  }
  if (topK !== undefined && (!Number.isInteger(topK) || topK < 0))
    throw new UsageError(`--top-k ${topK}: must be an integer >= 0 (0 = off)`);
  if (topP !== undefined && (!Number.isFinite(topP) || topP <= 0 || topP > 1))
    throw new UsageError(`--top-p ${topP}: must be in (0, 1]`);
  if (repetitionPenalty !== undefined && (!Number.isFinite(repetitionPenalty) || repetitionPenalty <= 0)) {
    throw new UsageError(`--repetition-penalty ${repetitionPenalty}: must be a number > 0 (1 = off)`);
  }
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new UsageError(`--seed ${seed}: must be an integer`);
  return {
    ...(maxNewTokens !== undefined ? { maxNewTokens } : {}),
    ...(temperature !== undefined ? { temperature } : {}),
    ...(topK !== undefined ? { topK } : {}),
    ...(topP !== undefined ? { topP } : {}),
    ...(repetitionPenalty !== undefined ? { repetitionPenalty } : {}),
    ...(seed !== undefined ? { seed } : {}),
  };
}

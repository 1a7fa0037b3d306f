/** @file The `--budget` option shared by ask, caption, tokens and narrate: a positive integer count of visual tokens. */
import { UsageError } from '../errors/index.js';

/** Returns the budget, or undefined when the option was not given; anything but a positive integer is a UsageError. */
export function parseBudgetOption(budget: number | undefined): number | undefined {
  if (budget === undefined) return undefined;
  if (!Number.isInteger(budget) || budget < 1) throw new UsageError(`--budget ${budget}: must be a positive integer`);
  return budget;
}

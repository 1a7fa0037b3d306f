/** @file The `--budget` check: a positive integer count of visual tokens (the option's coerce function). */
import { UsageError } from '../../errors/index.js';

/** Returns the budget, or undefined when the option was not given; anything but a positive integer is a UsageError. */
export function parseBudgetOption(budget: unknown): number | undefined {
  if (budget === undefined) return undefined;
  if (Array.isArray(budget)) throw new UsageError(`--budget ${budget.join(', ')}: give one budget, not several`);
  if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 1)
    throw new UsageError(`--budget ${String(budget)}: must be a positive integer`);
  return budget;
}

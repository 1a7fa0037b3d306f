/** @file TRANSITIONAL: narrate.ts imports the `--budget` check from here; it lives in options/budget-option.ts. */
export { parseBudgetOption } from './options/budget-option.js';

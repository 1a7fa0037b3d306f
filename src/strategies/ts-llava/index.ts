/** @file The ts-llava strategy: its pure function(s) and stage descriptor(s), one folder (see docs/adding-a-strategy.md). */
export * from './ts-llava-tokens.js';
export * from './ts-llava-stages.js';

/** @file The pllava strategy: its pure function(s) and stage descriptor(s), one folder (see docs/adding-a-strategy.md). */
export * from './pllava-pool.js';
export * from './pllava-stage.js';

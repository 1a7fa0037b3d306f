/** @file The ig-vlm strategy: its pure function(s) and stage descriptor(s), one folder (see docs/adding-a-strategy.md). */
export * from './ig-vlm-grid.js';
export * from './ig-vlm-stage.js';

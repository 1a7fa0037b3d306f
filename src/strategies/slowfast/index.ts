/** @file The slowfast strategy: its pure function(s) and stage descriptor(s), one folder (see docs/adding-a-strategy.md). */
export * from './slowfast-llava.js';
export * from './slowfast-shi.js';
export * from './slowfast-stages.js';

/** @file Barrel of the typed errors and exit codes. */
export * from './exit-codes.js';
export * from './vidtok-error.js';
export * from './input-errors.js';
export * from './process-errors.js';
export * from './config-errors.js';
export * from './model-errors.js';
export * from './queue-errors.js';
export * from './throw-if-aborted.js';

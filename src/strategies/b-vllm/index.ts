/** @file The B-VLLM strategy (approximation): selection, exact temporal merge, budget, stages (see docs/adding-a-strategy.md). */
export * from './b-vllm-approximation.js';
export * from './b-vllm-frame-sample.js';
export * from './b-vllm-stage.js';
export * from './b-vllm-select-stage.js';
export * from './select-frames-stage.js';

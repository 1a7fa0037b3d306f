/** @file Barrel of the temporal token strategies (pure functions over feature grids and frames). */
export * from './planar-frames.js';
export * from './pllava/pllava-pool.js';
export * from './ts-llava/ts-llava-tokens.js';
export * from './ig-vlm/ig-vlm-grid.js';
export * from './slowfast/slowfast-llava.js';
export * from './slowfast/slowfast-shi.js';
export * from './b-vllm/b-vllm-approximation.js';
export * from './scene-tilling/scene-tilling.js';
export * from './spatial-pool.js';

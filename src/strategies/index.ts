/** @file Barrel of the temporal token strategies (pure functions over feature grids and frames). */
export * from './planar-frames.js';
export * from './pllava.js';
export * from './ts-llava.js';
export * from './ig-vlm.js';
export * from './slowfast-llava.js';
export * from './slowfast-shi.js';
export * from './b-vllm.js';
export * from './scene-tilling.js';
export * from './spatial-pool.js';

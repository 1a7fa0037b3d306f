/** @file Barrel of the numeric kernels over Float32Array (pooling, resampling, similarity, token merging). */
export * from './pooling-windows.js';
export * from './window-average-pool.js';
export * from './adaptive-average-pool.js';
export * from './bilinear-resample.js';
export * from './image-area-resample.js';
export * from './cosine-similarity.js';
export * from './column-pair-max-pool.js';
export * from './token-merging.js';
export * from './torch-linspace.js';

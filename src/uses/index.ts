/** @file Barrel of the use cases: video QA (`askVideo`, `openVideoContext`) and dense captioning (`captionVideo`). */
export * from './use-defaults.js';
export * from './choice-prompt.js';
export * from './paper-prompt.js';
export * from './caption-prompt.js';
export * from './video-model.js';
export * from './pipeline-timings.js';
export * from './generation-settings.js';
export * from './video-context.js';
export * from './ask-video.js';
export * from './scene-chunks.js';
export * from './caption-video.js';
export * from './reloading-caption-processor.js';

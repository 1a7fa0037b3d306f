/** @file The scene-tilling strategy (VideoLLaMB SceneTilling): its pure functions and stage descriptors, one folder (see docs/adding-a-strategy.md). */
export * from './scene-tilling.js';
export * from './scene-tilling-stage.js';
export * from './scene-stream-stage.js';

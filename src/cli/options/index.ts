/** @file The CLI's option tables: one declaration per option, grouped; commands compose their options from these. */
export * from './option-table.js';
export { generationFromArguments, generationOptions, promptOptions } from './generation-options.js';
export { globalOptions } from './global-options.js';
export { jobOptions } from './job-options.js';
export { liveSourceOptions } from './live-source-options.js';
export { modelOptions } from './model-options.js';
export { outputOptions } from './output-options.js';
export { pipelineOptions } from './pipeline-options.js';
export { samplingOptions } from './sampling-options.js';
export { timeWindowOptions } from './time-window-options.js';

/**
 * @file Barrel of the pipeline API: run a declarative pipeline over a video, plus the graph and encoder pieces it is
 * made of (for programmatic users who build their own).
 */
export { expectedFrameCount, frameRequestFor, preparePipeline, runPipeline } from './run-pipeline.js';
export type { PipelineProgress, PipelineRunResult, RunPipelineOptions } from './run-pipeline.js';
export { ingestFrameProvider } from './frame-provider.js';
export type { FrameProvider, PipelineFrameRequest, ProbeSummary } from './frame-provider.js';
export { buildGraph, planGraph } from '../graph/build-graph.js';
export type { BuildGraphOptions, BuiltGraph, GraphNode, PlannedGraph } from '../graph/build-graph.js';
export { runGraph } from '../graph/run-graph.js';
export type { GraphRunResult, RunGraphOptions, StageEvent } from '../graph/run-graph.js';
export { BoundedQueue } from '../graph/bounded-queue.js';
export { loadPipelineFile, parsePipelineText, validatePipelineDefinition } from '../graph/pipeline-file.js';
export { builtInPipelinesDirectory, listBuiltInPipelines, resolvePipeline } from '../graph/pipeline-registry.js';
export type { FramesSpec, OverBudgetRule, PipelineDefinition, StageSpec } from '../graph/pipeline-definition.js';
export { findStage, listStages, registerStage } from '../graph/stages/index.js';

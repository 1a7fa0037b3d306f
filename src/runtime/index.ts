/**
 * @file Public API of the ONNX VLM runtime: load an export, encode frames with its vision tower, prefill a token
 * stream once and ask several questions with KV-cached, streamed generation. Importing it has no side effect: the
 * encoder registry imports the model encoder factory (src/encoders/model-encoder-factory.ts) lazily.
 */

export { loadModel } from './vlm-model.js';
export { checkModel } from './check-model.js';
export type { CheckModelOptions, CheckResult, CheckedGraph, ModelCheckReport } from './check-model.js';
export type { Generation, LoadModelOptions, PromptSession, SessionOptions, VlmModel } from './vlm-model.js';
export type { ModelInfo } from './model-config.js';
export type {
  GenerationDelta,
  GenerationOptions,
  GenerationResult,
  GenerationStats,
  StopReason,
} from './generation.js';
export type { SamplingOptions } from './token-sampler.js';
export type { ModelEncoderOptions } from './model-encoder.js';
export type { DtypeChoice, ModelFiles } from './model-files.js';
export { locateModelFiles } from './model-files.js';
export type { ModelRunner } from './model-runner.js';
export type { ExecutionDevice, QuantizedCompute } from './onnx-session.js';
export { cudaProviderInstalled } from './onnx-session.js';
export { startChildRunner } from './child-runner.js';
export type { ChildModelRunner, ChildRunnerOptions } from './child-runner.js';
export type { TextTokenizer } from './text-tokenizer.js';

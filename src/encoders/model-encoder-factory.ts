/**
 * @file The built-in model encoder factory: a directory holding a config.json, a model alias (`smolvlm2-256m`) or a
 * cached `owner/name` is resolved through the hub's `resolveModelDirectory` (cache only, never downloaded), loaded
 * with the ONNX runtime, and its visual encoder returned; disposing the encoder disposes the model. Other specs give
 * undefined. `resolveEncoder` imports this file only when a spec is not `pixels`, so importing `vidtok` loads
 * neither the runtime nor onnxruntime-node.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { VisualEncoder } from '../core/encoder.js';
import { findModelAlias, isRepositoryId, resolveModelDirectory } from '../hub/index.js';
import { loadModel } from '../runtime/vlm-model.js';

/** Options of the model encoder factory (the same shape as the registry's `ResolveEncoderOptions`). */
export interface ModelEncoderFactoryOptions {
  readonly signal?: AbortSignal;
}

function isModelDirectory(spec: string): boolean {
  return existsSync(spec) && statSync(spec).isDirectory() && existsSync(join(spec, 'config.json'));
}

/** Builds the model's visual encoder for `spec`, or undefined when the spec names no model directory, alias or id. */
export async function modelEncoderFactory(
  spec: string,
  options: ModelEncoderFactoryOptions,
): Promise<VisualEncoder | undefined> {
  if (!isModelDirectory(spec) && findModelAlias(spec) === undefined && !isRepositoryId(spec)) return undefined;
  const directory = await resolveModelDirectory(spec);
  const model = await loadModel(directory, options.signal ? { signal: options.signal } : {});
  return model.encoder({ name: spec, onDispose: () => model.dispose() });
}

/**
 * @file Registers the ONNX model encoder with the encoder registry (src/encoders), so `--encoder <model>` works in
 * pipelines: a directory holding a config.json, a model alias (`smolvlm2-256m`) or a cached `owner/name` is resolved
 * through the hub's `resolveModelDirectory` (cache only, never downloaded), loaded with the child runner, and its
 * visual encoder returned; disposing the encoder disposes the model. Other specs are left to other factories.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { registerEncoderFactory } from '../encoders/index.js';
import { findModelAlias, isRepositoryId, resolveModelDirectory } from '../hub/index.js';
import { loadModel } from './vlm-model.js';

let unregister: (() => void) | undefined;

function isModelDirectory(spec: string): boolean {
  return existsSync(spec) && statSync(spec).isDirectory() && existsSync(join(spec, 'config.json'));
}

/** Registers the factory once (idempotent); returns a function that unregisters it. */
export function registerOnnxEncoderFactory(): () => void {
  unregister ??= registerEncoderFactory('onnx-model', async (spec, options) => {
    if (!isModelDirectory(spec) && findModelAlias(spec) === undefined && !isRepositoryId(spec)) return undefined;
    const directory = await resolveModelDirectory(spec);
    const model = await loadModel(directory, options.signal ? { signal: options.signal } : {});
    return model.encoder({ name: spec, onDispose: () => model.dispose() });
  });
  return () => {
    unregister?.();
    unregister = undefined;
  };
}

/**
 * @file Registers the ONNX model encoder with the encoder registry (src/encoders), so `--encoder <model dir>` works
 * in pipelines: a spec naming a directory with a config.json loads that export (child runner) and returns its
 * visual encoder, which disposes the model when it is disposed. Other specs are left to other factories.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { registerEncoderFactory } from '../encoders/index.js';
import { loadModel } from './vlm-model.js';

let unregister: (() => void) | undefined;

/** Registers the factory once (idempotent); returns a function that unregisters it. */
export function registerOnnxEncoderFactory(): () => void {
  unregister ??= registerEncoderFactory('onnx-model-directory', async (spec, options) => {
    if (!existsSync(spec) || !statSync(spec).isDirectory() || !existsSync(join(spec, 'config.json'))) return undefined;
    const model = await loadModel(spec, options.signal ? { signal: options.signal } : {});
    return model.encoder({ name: spec, onDispose: () => model.dispose() });
  });
  return () => {
    unregister?.();
    unregister = undefined;
  };
}

/**
 * @file The configured family adapter of a model folder from its config files alone (no graphs, no weights):
 * `config.json`'s `model_type` picks the adapter, and its vision numbers come from config, preprocessor and processor
 * files. Used to plan pipelines for a family (the pipeline matrix, the docs table) exactly as a loaded model would.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelLoadError } from '../errors/index.js';
import { familyForModelType } from './index.js';
import type { ModelFamily } from './model-family.js';
import { readVisionConfigSources } from './vision-config.js';

/** The family adapter of `directory`, configured from its files; ModelLoadError when it is not a supported model. */
export function familyFromDirectory(directory: string): ModelFamily {
  const config = join(directory, 'config.json');
  let modelType: unknown;
  try {
    modelType = (JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>)['model_type'];
  } catch (error) {
    throw new ModelLoadError(
      config,
      `not a readable JSON object: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const family = typeof modelType === 'string' ? familyForModelType(modelType) : undefined;
  if (family === undefined)
    throw new ModelLoadError(
      config,
      `model_type '${String(modelType)}' is not supported (supported: smolvlm, idefics3, llava_onevision)`,
    );
  const optional = (name: string): string | undefined =>
    existsSync(join(directory, name)) ? join(directory, name) : undefined;
  const preprocessorConfig = optional('preprocessor_config.json');
  const processorConfig = optional('processor_config.json');
  return family.configure(
    readVisionConfigSources({
      config,
      ...(preprocessorConfig ? { preprocessorConfig } : {}),
      ...(processorConfig ? { processorConfig } : {}),
    }),
    config,
  );
}

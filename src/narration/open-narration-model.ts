/**
 * @file Loads the model a narration talks to from an alias, `owner/name` or directory (src/hub resolves it from the
 * cache, never downloading), with the alias's default dtypes unless `dtype` is given, in a child runner so inference
 * never blocks the event loop that takes frames.
 */
import { fallbackDtypes, findModelAlias, parseDtypeOption, resolveModelDirectory } from '../hub/index.js';
import { loadModel, type VlmModel } from '../runtime/index.js';

/** The model used when none is named. */
export const defaultNarrationModel = 'smolvlm2-256m';

export interface OpenNarrationModelOptions {
  readonly dtype?: string;
  readonly threads?: number;
  readonly signal?: AbortSignal;
}

/** Resolves and loads `modelSpec` with the child runner. */
export async function openNarrationModel(
  modelSpec: string,
  options: OpenNarrationModelOptions = {},
): Promise<VlmModel> {
  const directory = await resolveModelDirectory(modelSpec);
  const alias = findModelAlias(modelSpec);
  const dtypes =
    options.dtype !== undefined
      ? parseDtypeOption(options.dtype, alias?.defaultDtypes ?? fallbackDtypes)
      : alias?.defaultDtypes;
  return loadModel(directory, {
    runner: 'child',
    ...(dtypes ? { dtype: dtypes } : {}),
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

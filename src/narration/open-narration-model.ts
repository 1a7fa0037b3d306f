/**
 * @file Loads the model a narration talks to from an alias, `owner/name` or directory (src/hub resolves it from the
 * cache, never downloading) in a child runner, so inference never blocks the event loop that takes frames. The dtypes
 * are chosen as for `ask` (src/uses/video-model.ts `chooseDtypes`: `dtype` over what the directory holds, preferring
 * the alias's pull defaults, then fp32), on the device asked for.
 */
import { resolveModelDirectory } from '../hub/index.js';
import { loadModel, type ExecutionDevice, type QuantizedCompute, type VlmModel } from '../runtime/index.js';
import { chooseDtypes } from '../uses/video-model.js';

export { defaultNarrationModel } from './narration-options.js';

export interface OpenNarrationModelOptions {
  /** One dtype (`q4`) or `graph=dtype` pairs; the graphs not named keep what the directory holds. */
  readonly dtype?: string;
  readonly threads?: number;
  /** `cpu` (default), `cuda` (an error when unavailable) or `auto` (CUDA when it opens, else the CPU and a notice). */
  readonly device?: ExecutionDevice;
  /** How MatMulNBits graphs compute on the CPU (default auto). */
  readonly quantizedCompute?: QuantizedCompute;
  /** One line per fallback the load made (`device auto: running on the CPU (…)`). */
  readonly onNotice?: (message: string) => void;
  readonly signal?: AbortSignal;
}

/** Resolves and loads `modelSpec` with the child runner. */
export async function openNarrationModel(
  modelSpec: string,
  options: OpenNarrationModelOptions = {},
): Promise<VlmModel> {
  const directory = await resolveModelDirectory(modelSpec);
  const dtypes = await chooseDtypes(modelSpec, options.dtype, directory);
  return loadModel(directory, {
    runner: 'child',
    dtype: dtypes,
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(options.device !== undefined ? { device: options.device } : {}),
    ...(options.quantizedCompute !== undefined ? { quantizedCompute: options.quantizedCompute } : {}),
    ...(options.onNotice ? { onNotice: options.onNotice } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

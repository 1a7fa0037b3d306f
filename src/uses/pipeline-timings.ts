/**
 * @file Splits a pipeline run's per-stage times (TokenStreamMetadata.timings, keyed by stage id) into what the use
 * cases report: decoding (the frame source, `frames (decode)`), encoding (stages using `encode` / `encode-image`)
 * and compressing (every other stage: the strategy). Stages stream into each other, so these overlap in wall time;
 * the run's wall time is reported separately.
 */
import type { TokenStreamMetadata } from '../core/token-stream.js';

export interface StageTimeSplit {
  readonly decodeMilliseconds: number;
  readonly encodeMilliseconds: number;
  readonly compressMilliseconds: number;
}

const encodeStages = new Set(['encode', 'encode-image']);

/** Sums stage times by kind. */
export function splitStageTimes(metadata: Pick<TokenStreamMetadata, 'timings' | 'params'>): StageTimeSplit {
  let decodeMilliseconds = 0;
  let encodeMilliseconds = 0;
  let compressMilliseconds = 0;
  for (const [stage, milliseconds] of Object.entries(metadata.timings ?? {})) {
    if (stage.endsWith(' (decode)')) {
      decodeMilliseconds += milliseconds;
      continue;
    }
    const parameters = metadata.params[stage] as { use?: unknown } | undefined;
    if (typeof parameters?.use === 'string' && encodeStages.has(parameters.use)) encodeMilliseconds += milliseconds;
    else compressMilliseconds += milliseconds;
  }
  return { decodeMilliseconds, encodeMilliseconds, compressMilliseconds };
}

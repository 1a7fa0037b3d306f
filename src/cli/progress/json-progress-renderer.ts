/**
 * @file Non-interactive progress: one JSON object per line for every batch event, with a `time` field (ISO 8601),
 * e.g. `{"time":"...","type":"item-end","item":{"input":"a.mp4","status":"done",...}}`. Easy to tail and parse in
 * CI logs or by a supervising process.
 */
import type { BatchEvent } from '../../jobs/batch-events.js';
import type { ProgressRenderer, ProgressRendererOptions } from './progress-renderer.js';

export function createJsonProgressRenderer(options: ProgressRendererOptions): ProgressRenderer {
  const now = options.now ?? Date.now;
  return {
    onEvent(event: BatchEvent) {
      options.stream.write(`${JSON.stringify({ time: new Date(now()).toISOString(), ...event })}\n`);
    },
    finish() {
      // Every line is already complete.
    },
  };
}

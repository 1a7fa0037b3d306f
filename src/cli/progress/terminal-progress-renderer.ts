/**
 * @file Terminal progress: one line redrawn in place (`\r`), at most every 100 ms:
 * `[#######.........] 7/16 videos  5 done 1 skipped 1 failed  12 chunks  ETA 1m20s  clip.mp4`.
 * The ETA extrapolates the mean time per finished video that was actually processed (skips are nearly free).
 * Failures are printed on their own line as they happen so they are not lost in the redraws.
 */
import type { BatchEvent } from '../../jobs/batch-events.js';
import type { ProgressRenderer, ProgressRendererOptions } from './progress-renderer.js';

const barWidth = 24;

/** `75`, `1m05s`, `2h03m` style durations. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const rounded = Math.round(seconds);
  if (rounded < 60) return `${rounded}s`;
  if (rounded < 3600) return `${Math.floor(rounded / 60)}m${String(rounded % 60).padStart(2, '0')}s`;
  return `${Math.floor(rounded / 3600)}h${String(Math.floor((rounded % 3600) / 60)).padStart(2, '0')}m`;
}

export function createTerminalProgressRenderer(options: ProgressRendererOptions): ProgressRenderer {
  const now = options.now ?? Date.now;
  const stream = options.stream;
  const startedAt = now();
  let total = 0;
  let done = 0;
  let skipped = 0;
  let failed = 0;
  let chunks = 0;
  let current = '';
  let lastDraw = 0;
  let lineLength = 0;

  const line = (): string => {
    const finished = done + skipped + failed;
    const filled = total > 0 ? Math.round((finished / total) * barWidth) : 0;
    const processed = done + failed;
    const remaining = total - finished;
    const eta = processed > 0 ? ((now() - startedAt) / 1000 / processed) * remaining : Number.NaN;
    const name = current.length > 40 ? `…${current.slice(-39)}` : current;
    return (
      `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${finished}/${total} videos  ` +
      `${done} done ${skipped} skipped ${failed} failed  ${chunks} chunks  ETA ${remaining === 0 ? '0s' : formatEta(eta)}  ${name}`
    );
  };
  const draw = (force = false): void => {
    const time = now();
    if (!force && time - lastDraw < 100) return;
    lastDraw = time;
    const text = line();
    stream.write(`\r${text}${' '.repeat(Math.max(0, lineLength - text.length))}`);
    lineLength = text.length;
  };
  const clearLine = (): void => {
    if (lineLength > 0) stream.write(`\r${' '.repeat(lineLength)}\r`);
    lineLength = 0;
  };

  return {
    onEvent(event: BatchEvent) {
      switch (event.type) {
        case 'batch-start':
          total = event.total;
          draw(true);
          break;
        case 'item-start':
          current = event.input.split('/').at(-1) ?? event.input;
          draw();
          break;
        case 'chunk':
          chunks += 1;
          draw();
          break;
        case 'item-end':
          if (event.item.status === 'done') done += 1;
          else if (event.item.status === 'skipped') skipped += 1;
          else if (event.item.status === 'failed') {
            failed += 1;
            clearLine();
            stream.write(`failed: ${event.item.input}: ${event.item.reason ?? 'unknown error'}\n`);
          }
          draw(event.item.status === 'failed');
          break;
        case 'warning':
          clearLine();
          stream.write(`warning: ${event.message}\n`);
          draw(true);
          break;
        case 'batch-end':
          current = '';
          draw(true);
          break;
      }
    },
    finish() {
      if (lineLength > 0) stream.write('\n');
      lineLength = 0;
    },
  };
}

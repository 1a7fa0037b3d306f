/** @file Batch progress renderers for the CLI: a bar with ETA on a terminal, JSON lines otherwise. */
import { createJsonProgressRenderer } from './json-progress-renderer.js';
import type { ProgressRenderer, ProgressRendererOptions } from './progress-renderer.js';
import { createTerminalProgressRenderer } from './terminal-progress-renderer.js';

export * from './json-progress-renderer.js';
export * from './progress-renderer.js';
export * from './terminal-progress-renderer.js';

/** Picks the renderer: `interactive` (stderr is a TTY, see CommandContext.interactive) draws a bar. */
export function createProgressRenderer(
  options: ProgressRendererOptions & { readonly interactive: boolean },
): ProgressRenderer {
  return options.interactive ? createTerminalProgressRenderer(options) : createJsonProgressRenderer(options);
}

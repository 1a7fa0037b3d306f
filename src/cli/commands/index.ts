/**
 * @file The command registry: one line per command, in the order `vidtok --help` lists them.
 */
import type { RegisteredCommand } from '../command.js';
import { doctorCommand } from './doctor.js';
import { framesCommand } from './frames.js';
import { probeCommand } from './probe.js';
import { goldenCommand } from './golden.js';
import { modelsCommand } from './models.js';
import { pipelinesCommand } from './pipelines.js';
import { tokensCommand } from './tokens.js';
import { inspectCommand } from './inspect.js';
import { askCommand } from './ask.js';
import { captionCommand } from './caption.js';
import { workerCommand } from './worker.js';
import { narrateCommand } from './narrate.js';
import { serveCommand } from './serve.js';

export const commands: readonly RegisteredCommand[] = [
  probeCommand,
  framesCommand,
  doctorCommand,
  modelsCommand,
  tokensCommand,
  pipelinesCommand,
  inspectCommand,
  goldenCommand,
  askCommand,
  captionCommand,
  workerCommand,
  narrateCommand,
  serveCommand,
];

/**
 * @file The vidtok CLI entry point: builds the yargs program from the command registry, wires SIGINT/SIGTERM to an
 * AbortSignal, and maps errors to one-line messages and documented exit codes (stack traces only with --verbose).
 */
import yargs from 'yargs';
import { pathToFileURL } from 'node:url';
import { ExitCode, VidtokError } from '../errors/index.js';
import type { CommandContext } from './command.js';
import { commands } from './commands/index.js';
import { configureNetworkPolicy } from '../net/network-policy.js';
import { globalOptions } from './options/global-options.js';

const exitCodeTable = `Exit codes:
  0    success
  1    internal error (a bug; rerun with --verbose and report it)
  2    usage error (unknown option, invalid value)
  3    input not found or unreadable
  4    input rejected (not a video, no video stream, unsupported URL scheme)
  5    limit exceeded (resolution, duration, token budget, context window)
  6    ffmpeg missing or decoding failed
  7    deadline exceeded
  8    model missing, corrupt or inconsistent; download failed
  9    invalid pipeline file or stage graph
  10   partial failure (some batch items or conformance cases failed)
  130  interrupted`;

/** Writes the one-line error report and returns the exit code. */
export function reportError(error: unknown, verbose: boolean, stderr: NodeJS.WritableStream): number {
  if (VidtokError.isInstance(error)) {
    stderr.write(`vidtok: ${error.message}\n`);
    if (verbose && error.stack) stderr.write(`${error.stack}\n`);
    if (verbose && error.cause) stderr.write(`caused by: ${String((error.cause as Error).stack ?? error.cause)}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(
    `vidtok: internal error: ${message.split('\n')[0]}${verbose ? '' : ' (rerun with --verbose for details)'}\n`,
  );
  if (verbose && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
  return ExitCode.internal;
}

let stdoutGuarded = false;

/**
 * A reader that stops reading (`vidtok frames clip.mp4 --json | head`) ends the output, not the run with a stack
 * trace: EPIPE on stdout is dropped, like the writes after it, and the exit code stays the command's. Any other
 * stdout error is reported in one line as an internal error. Installed once per process.
 */
function tolerateClosedStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
    process.stderr.write(`vidtok: cannot write to standard output: ${error.message}\n`);
    process.exitCode = ExitCode.internal;
  });
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code and sets `process.exitCode`. */
export async function main(argv: readonly string[]): Promise<number> {
  tolerateClosedStdout();
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupts += 1;
    if (interrupts > 1) process.exit(ExitCode.interrupted);
    controller.abort(new Error(`received ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  if (argv.includes('--allow-private-network')) configureNetworkPolicy({ allowPrivateNetwork: true });
  let exitCode: number = ExitCode.ok;
  const context: CommandContext = {
    signal: controller.signal,
    verbose,
    stdout: process.stdout,
    stderr: process.stderr,
    interactive: Boolean(process.stderr.isTTY),
  };
  let program = yargs([...argv])
    .scriptName('vidtok')
    .usage(
      '$0 <command> [options]\n\nVideo-LLM processing pipeline: exact frames, temporal token strategies, ONNX VLMs.',
    )
    .options(globalOptions)
    .strict()
    .demandCommand(1, 'Name a command; `vidtok --help` lists them.')
    .recommendCommands()
    .epilogue(exitCodeTable)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, error) => {
      // yargs reports its own usage errors, and an option's coerce function failing (e.g. --budget 0), as YError.
      if (error && error.name !== 'YError') throw error;
      throw new UsageErrorFromYargs(message ?? error?.message ?? 'invalid usage');
    });
  for (const command of commands) {
    program = program.command(command.command, command.describe, command.builder, async (args) => {
      const code = await command.handle(args, context);
      exitCode = typeof code === 'number' ? code : ExitCode.ok;
    });
  }
  try {
    await program.parseAsync();
  } catch (error) {
    if (error instanceof UsageErrorFromYargs) {
      process.stderr.write(`vidtok: ${error.message}\nRun 'vidtok --help' for usage.\n`);
      exitCode = ExitCode.usage;
    } else {
      exitCode = reportError(error, verbose, process.stderr);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  process.exitCode = exitCode;
  return exitCode;
}

class UsageErrorFromYargs extends Error {}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  void main(process.argv.slice(2));
}

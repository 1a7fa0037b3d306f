/**
 * @file The contract every CLI command implements. A command is a thin layer: it parses options with yargs, calls
 * the programmatic API, and writes results to `context.stdout`. Errors are thrown as typed `VidtokError`s; the
 * entry point (`main.ts`) turns them into one-line messages and exit codes.
 */
import type { Argv } from 'yargs';

export interface CommandContext {
  /** Aborted on SIGINT/SIGTERM; pass it to every API call. */
  readonly signal: AbortSignal;
  readonly verbose: boolean;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Whether stderr is an interactive terminal (progress bars) or not (JSON progress lines). */
  readonly interactive: boolean;
}

export interface CliCommand<Args = Record<string, unknown>> {
  /** yargs command string, e.g. `probe <input>`. */
  readonly command: string;
  /** One line for `vidtok --help`. */
  readonly describe: string;
  /** Declares positionals and options; include `.example(...)` lines. */
  readonly builder: (yargs: Argv) => Argv<Args>;
  /** Runs the command; returns the exit code (0 when omitted). */
  readonly run: (args: Args, context: CommandContext) => Promise<number | void>;
}

/** Identity helper that keeps the argument type of a command. */
export function defineCommand<Args>(command: CliCommand<Args>): CliCommand<Args> {
  return command;
}

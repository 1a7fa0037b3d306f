/**
 * @file The contract every CLI command implements. A command is a thin layer: it declares its positionals and options
 * once (typed option tables, src/cli/options), calls the programmatic API, and writes results to `context.stdout`.
 * The yargs builder and the handler's argument type are both derived from that declaration. Errors are thrown as
 * typed `VidtokError`s; the entry point (`main.ts`) turns them into one-line messages and exit codes.
 */
import type { Argv } from 'yargs';
import {
  assertArguments,
  type CommandArguments,
  type OptionTable,
  type PositionalTable,
} from './options/option-table.js';

export interface CommandContext {
  /** Aborted on SIGINT/SIGTERM; pass it to every API call. */
  readonly signal: AbortSignal;
  readonly verbose: boolean;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Whether stderr is an interactive terminal (progress bars) or not (JSON progress lines). */
  readonly interactive: boolean;
}

/** What a command file declares. */
export interface CommandDeclaration<Positionals extends PositionalTable, Options extends OptionTable> {
  /** yargs command string, e.g. `probe <input>`. */
  readonly command: string;
  /** One line for `vidtok --help`. */
  readonly describe: string;
  /** The positionals the command string names, in that order (`{}` when it names none). */
  readonly positionals: Positionals;
  /** Every option of the command, composed from the shared groups in src/cli/options. */
  readonly options: Options;
  /** Replaces the usage line of `vidtok <command> --help`. */
  readonly usage?: string;
  /** `[command line, what it does]` pairs for `--help`. */
  readonly examples?: readonly (readonly [string, string])[];
  /** Runs the command; returns the exit code (0 when omitted). */
  readonly run: (args: CommandArguments<Positionals, Options>, context: CommandContext) => Promise<number | void>;
}

export interface CliCommand<Args> {
  readonly command: string;
  readonly describe: string;
  readonly positionals: PositionalTable;
  readonly options: OptionTable;
  /** Declares the positionals, options, usage and examples on a yargs instance. */
  readonly builder: (yargs: Argv) => Argv;
  /** Runs the command on arguments of the declared types. */
  readonly run: (args: Args, context: CommandContext) => Promise<number | void>;
  /** Checks yargs' parsed arguments against the declaration, then runs. */
  readonly handle: (parsed: Readonly<Record<string, unknown>>, context: CommandContext) => Promise<number | void>;
}

/** A command of any argument type, as the registry holds it. */
export type RegisteredCommand = CliCommand<never>;

/** Builds a command from its declaration: the yargs builder and the handler's argument type come from the tables. */
export function defineCommand<const Positionals extends PositionalTable, const Options extends OptionTable>(
  declaration: CommandDeclaration<Positionals, Options>,
): CliCommand<CommandArguments<Positionals, Options>> {
  const positionals = declaration.positionals;
  const builder = (yargs: Argv): Argv => {
    let program = declaration.usage !== undefined ? yargs.usage(declaration.usage) : yargs;
    for (const [name, option] of Object.entries(positionals)) program = program.positional(name, option);
    program = program.options(declaration.options);
    for (const [line, description] of declaration.examples ?? []) program = program.example(line, description);
    return program;
  };
  return {
    command: declaration.command,
    describe: declaration.describe,
    positionals,
    options: declaration.options,
    builder,
    run: declaration.run,
    handle: (parsed, context) => {
      assertArguments(parsed, positionals, declaration.options);
      return declaration.run(parsed, context);
    },
  };
}

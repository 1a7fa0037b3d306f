/**
 * @file The typed option table of the CLI: a command declares its positionals and options once, as yargs option
 * objects, and the type of the arguments its handler receives is derived from that declaration (yargs'
 * `InferredOptionType`). `assertArguments` checks yargs' parsed values against the same declaration before a command
 * runs, so the handler's type is a checked fact rather than a cast.
 */
import type { InferredOptionType, Options, PositionalOptions } from 'yargs';
import { UsageError } from '../../errors/index.js';

/** Options by long name (kebab-case), each a yargs option object. */
export type OptionTable = { readonly [name: string]: Options };
/** Positionals by name, in the order the command string names them. */
export type PositionalTable = { readonly [name: string]: PositionalOptions };

/** Keeps the literal types of a table (`type: 'string'`, `choices`, `alias`) so argument types can be derived. */
export function defineOptions<const Table extends OptionTable>(table: Table): Table {
  return table;
}

/** Keeps the literal types of a positional table. */
export function definePositionals<const Table extends PositionalTable>(table: Table): Table {
  return table;
}

type ValueOf<Option> = Option extends Options | PositionalOptions ? InferredOptionType<Option> : never;
type OptionalKeys<Table> = {
  [Name in keyof Table]: undefined extends ValueOf<Table[Name]> ? Name : never;
}[keyof Table];
type Simplify<Type> = { [Key in keyof Type]: Type[Key] } & {};

/** The values a table yields: options that may be absent are optional properties, the others required. */
export type OptionValues<Table> = Simplify<
  { readonly [Name in Exclude<keyof Table, OptionalKeys<Table>>]: ValueOf<Table[Name]> } & {
    readonly [Name in OptionalKeys<Table>]?: ValueOf<Table[Name]>;
  }
>;

/** The arguments a command's handler receives: its positionals' and options' values. */
export type CommandArguments<Positionals, Table> = Simplify<OptionValues<Positionals> & OptionValues<Table>>;

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return `a list (${value.map(String).join(', ')}; given more than once?)`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

function expectedKind(option: Options | PositionalOptions): string | undefined {
  if (option.type === 'string' || option.type === 'number' || option.type === 'boolean') return option.type;
  return undefined;
}

function matchesKind(value: unknown, kind: string | undefined): boolean {
  return kind === undefined || typeof value === kind;
}

/** Why `value` does not fit `option` (undefined when it fits). */
function mismatch(value: unknown, option: Options | PositionalOptions): string | undefined {
  if (value === undefined) {
    const required = option.demandOption !== undefined && option.demandOption !== false;
    return required || option.default !== undefined ? 'a value is required' : undefined;
  }
  // A coerced option holds whatever its coerce function returned (the function validated it).
  if (option.coerce !== undefined) return undefined;
  const kind = expectedKind(option);
  if (option.array === true) {
    if (!Array.isArray(value)) return `expected a list, got ${describeValue(value)}`;
    const wrong = value.find((item) => !matchesKind(item, kind));
    return wrong === undefined ? undefined : `expected ${kind} items, got ${describeValue(wrong)}`;
  }
  if (!matchesKind(value, kind)) return `expected a ${kind}, got ${describeValue(value)}`;
  if (option.choices !== undefined && !option.choices.some((choice) => choice === value))
    return `expected one of ${option.choices.join(', ')}, got ${describeValue(value)}`;
  return undefined;
}

/**
 * Checks yargs' parsed arguments against the declaration (types, choices, required values); a mismatch (for example
 * an option given twice, which yargs turns into a list) is a UsageError naming the option.
 */
export function assertArguments<Positionals extends PositionalTable, Table extends OptionTable>(
  parsed: Readonly<Record<string, unknown>>,
  positionals: Positionals,
  options: Table,
): asserts parsed is CommandArguments<Positionals, Table> {
  for (const [name, option] of Object.entries(positionals)) {
    const problem = mismatch(parsed[name], option);
    if (problem !== undefined) throw new UsageError(`<${name}>: ${problem}`);
  }
  for (const [name, option] of Object.entries(options)) {
    const problem = mismatch(parsed[name], option);
    if (problem !== undefined) throw new UsageError(`--${name}: ${problem}`);
  }
}

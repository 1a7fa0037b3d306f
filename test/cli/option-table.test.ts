/**
 * @file The CLI's option table: every command's option set, built from its declaration, gives one short flag one
 * long option across all commands, and one long option the same type and short flag everywhere; parsed arguments are
 * checked against the declaration (a repeated or mistyped option is a usage error, exit 2); the handler's argument
 * types are derived from the table (checked by the compiler); and every command's `--help` runs and lists its options.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import type { Options, PositionalOptions } from 'yargs';
import type { RegisteredCommand } from '../../src/cli/command.js';
import { commands } from '../../src/cli/commands/index.js';
import type { probeCommand } from '../../src/cli/commands/probe.js';
import type { tokensCommand } from '../../src/cli/commands/tokens.js';
import { assertArguments, globalOptions, type OptionTable } from '../../src/cli/options/index.js';
import { ExitCode, UsageError } from '../../src/errors/index.js';
import { repoRoot } from '../helpers/paths.js';

interface CommandOptions {
  readonly name: string;
  readonly options: OptionTable;
}

const aliasesOf = (option: Options | PositionalOptions): string[] =>
  option.alias === undefined ? [] : typeof option.alias === 'string' ? [option.alias] : [...option.alias];

/** The type yargs gives an option: string, number, boolean, or one of those lists. */
const kindOf = (option: Options): string =>
  `${option.type ?? (option.choices !== undefined ? 'choice' : 'unknown')}${option.array === true ? '[]' : ''}`;

/** Every inconsistency between the option sets: a short flag with two meanings, a long option declared two ways. */
export function optionConflicts(sets: readonly CommandOptions[]): string[] {
  const problems: string[] = [];
  const shortFlags = new Map<string, { long: string; where: string }>();
  const longOptions = new Map<string, { kind: string; aliases: string; where: string }>();
  const longNames = new Set(sets.flatMap((set) => Object.keys(set.options)));
  for (const set of sets) {
    for (const [long, option] of Object.entries(set.options)) {
      const aliases = aliasesOf(option);
      const declared = { kind: kindOf(option), aliases: aliases.sort().join(','), where: set.name };
      const earlier = longOptions.get(long);
      if (earlier === undefined) longOptions.set(long, declared);
      else {
        if (earlier.kind !== declared.kind)
          problems.push(`--${long} is ${earlier.kind} in ${earlier.where} but ${declared.kind} in ${set.name}`);
        if (earlier.aliases !== declared.aliases)
          problems.push(
            `--${long} has aliases [${earlier.aliases}] in ${earlier.where} but [${declared.aliases}] in ${set.name}`,
          );
      }
      for (const alias of aliases) {
        if (alias.length > 1) {
          if (longNames.has(alias)) problems.push(`--${alias} is an alias of --${long} in ${set.name} and an option`);
          continue;
        }
        const meaning = shortFlags.get(alias);
        if (meaning === undefined) shortFlags.set(alias, { long, where: set.name });
        else if (meaning.long !== long)
          problems.push(`-${alias} means --${meaning.long} in ${meaning.where} but --${long} in ${set.name}`);
      }
    }
  }
  return problems;
}

/** Each command's options, with the global ones every command accepts. */
function optionSets(registry: readonly RegisteredCommand[]): CommandOptions[] {
  return registry.map((command) => ({
    name: command.command.split(' ')[0]!,
    options: { ...globalOptions, ...command.options },
  }));
}

describe('the option table', () => {
  test('every command declares its options in the table', () => {
    assert.ok(commands.length >= 13);
    for (const command of commands) {
      const name = command.command.split(' ')[0]!;
      // Every command has at least one option of its own (doctor, probe, golden, pipelines: --json).
      assert.ok(Object.keys(command.options).length > 0, `${name} declares no options in the table`);
      // Every positional the command string names is declared, with a type or choices.
      const named = [...command.command.matchAll(/[<[]([a-z-]+)(\.\.)?[>\]]/g)].map((match) => match[1]!);
      assert.deepEqual(Object.keys(command.positionals), named, `${name}: positionals`);
    }
  });

  test('one short flag means one long option, and one long option has one type and short flag, everywhere', () => {
    const sets = optionSets(commands);
    assert.deepEqual(optionConflicts(sets), []);
    // The shared flags the docs list (docs/cli.md) mean what they say wherever they appear.
    const meaning = new Map<string, string>();
    for (const set of sets)
      for (const [long, option] of Object.entries(set.options))
        for (const alias of aliasesOf(option)) meaning.set(alias, long);
    assert.deepEqual(Object.fromEntries([...meaning].sort(([left], [right]) => left.localeCompare(right))), {
      b: 'budget',
      c: 'concurrency',
      e: 'encoder',
      f: 'format',
      m: 'model',
      o: 'out',
      p: 'pipeline',
      q: 'question',
      r: 'recursive',
      v: 'verbose',
    });
  });

  test('the checker finds a short flag with two meanings and a long option declared two ways', () => {
    const conflicts = optionConflicts([
      { name: 'one', options: { pipeline: { alias: 'p', type: 'string' }, json: { type: 'boolean' } } },
      { name: 'two', options: { pipelines: { alias: 'p', type: 'string' }, json: { type: 'string' } } },
      { name: 'three', options: { pipeline: { type: 'string', alias: 'pipelines' } } },
    ]);
    assert.deepEqual(conflicts, [
      '-p means --pipeline in one but --pipelines in two',
      '--json is boolean in one but string in two',
      '--pipeline has aliases [p] in one but [pipelines] in three',
      '--pipelines is an alias of --pipeline in three and an option',
    ]);
  });

  test('parsed arguments are checked against the declaration', () => {
    const options = {
      json: { type: 'boolean', default: false },
      timeout: { type: 'number', default: 15 },
      device: { type: 'string', choices: ['cpu', 'cuda'] },
      'media-dir': { type: 'string', array: true },
    } as const;
    const positionals = { input: { type: 'string', demandOption: true } } as const;
    assertArguments({ input: 'a.mp4', json: false, timeout: 2, 'media-dir': ['x'] }, positionals, options);
    const rejects = (parsed: Record<string, unknown>, message: RegExp): void =>
      assert.throws(
        () => assertArguments(parsed, positionals, options),
        (error: unknown) => error instanceof UsageError && message.test(error.message),
      );
    rejects({ input: 'a.mp4', json: false, timeout: [1, 2] }, /^--timeout: expected a number, got a list \(1, 2;/);
    rejects({ input: 'a.mp4', json: false, timeout: 2, device: 'tpu' }, /^--device: expected one of cpu, cuda/);
    rejects({ input: 'a.mp4', json: 'yes', timeout: 2 }, /^--json: expected a boolean/);
    rejects({ input: 'a.mp4', json: false }, /^--timeout: a value is required/);
    rejects({ json: false, timeout: 2 }, /^<input>: a value is required/);
    rejects({ input: 'a.mp4', json: false, timeout: 2, 'media-dir': 'x' }, /^--media-dir: expected a list/);
  });

  test("a handler's argument type is derived from its declaration", () => {
    type ProbeArguments = Parameters<typeof probeCommand.run>[0];
    type TokensArguments = Parameters<typeof tokensCommand.run>[0];
    const probe: ProbeArguments = { input: 'a.mp4', json: false, timeout: 15 };
    // @ts-expect-error --timeout is declared a number
    const wrongType: ProbeArguments = { input: 'a.mp4', json: false, timeout: '15' };
    // @ts-expect-error --pipeline is required by tokens (demandOption), so it is not optional
    const missing: TokensArguments = { video: 'a.mp4', json: false };
    const tokens: TokensArguments = { video: 'a.mp4', pipeline: 'uniform', json: false, budget: 10 };
    // @ts-expect-error an option the table does not declare
    const unknown: TokensArguments = { video: 'a.mp4', pipeline: 'uniform', json: false, frames: 3 };
    assert.ok(probe && wrongType && missing && tokens && unknown);
  });
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function vidtok(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, COLUMNS: '200' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `jobs` at most `limit` at a time (the machine is shared), in order. */
async function limited<T>(jobs: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const at = next++;
      results[at] = await jobs[at]!();
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

describe('--help', () => {
  test('`vidtok --help` lists every command', async () => {
    const run = await vidtok(['--help']);
    assert.equal(run.code, 0, run.stderr);
    for (const command of commands) assert.match(run.stdout, new RegExp(`vidtok ${command.command.split(' ')[0]}\\b`));
  });

  test("every command's --help exits 0 and lists its positionals, options and short flags", async () => {
    const runs = await limited(
      commands.map((command) => () => vidtok([command.command.split(' ')[0]!, '--help'])),
      3,
    );
    commands.forEach((command, at) => {
      const name = command.command.split(' ')[0]!;
      const run = runs[at]!;
      assert.equal(run.code, 0, `${name} --help: ${run.stderr}`);
      for (const positional of Object.keys(command.positionals))
        assert.match(run.stdout, new RegExp(`^\\s+${positional}\\s`, 'm'), `${name} --help lists <${positional}>`);
      const options: OptionTable = { ...globalOptions, ...command.options };
      for (const [long, option] of Object.entries(options)) {
        if (option.hidden === true) continue;
        const short = aliasesOf(option).find((alias) => alias.length === 1);
        const shown = short === undefined ? `^\\s+--${long}\\s` : `^\\s+-${short}, --${long}\\s`;
        assert.match(run.stdout, new RegExp(shown, 'm'), `${name} --help lists ${short ? `-${short}, ` : ''}--${long}`);
      }
    });
  });

  test('a repeated option and a bad --budget are usage errors (exit 2) with one-line messages', async () => {
    const [repeated, budget] = await limited(
      [
        () => vidtok(['probe', 'clip.mp4', '--timeout', '1', '--timeout', '2']),
        () => vidtok(['tokens', 'clip.mp4', '-p', 'uniform', '-b', '0']),
      ],
      2,
    );
    assert.equal(repeated!.code, ExitCode.usage, repeated!.stderr);
    assert.match(
      repeated!.stderr,
      /^vidtok: --timeout: expected a number, got a list \(1, 2; given more than once\?\)$/m,
    );
    assert.equal(budget!.code, ExitCode.usage, budget!.stderr);
    assert.match(budget!.stderr, /^vidtok: --budget 0: must be a positive integer$/m);
    assert.doesNotMatch(budget!.stderr, /\bat \S+:\d+/); // no stack trace
  });
});

/**
 * @file Runs one fuzz case the way a user would: the mutant is written to a scratch directory, then `vidtok probe
 * --json` and `vidtok frames --count 4 --out` run as real CLI processes. Each run is checked for the promises of
 * docs/security.md: an exit code other than 1 (internal error), no death by signal, no hang, no stack trace, no
 * ffmpeg/ffprobe left running, and no partial `--out` output.
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, sharedVideo } from '../helpers/paths.js';
import { applyOperations, type FuzzCase } from './fuzz-mutations.js';

export interface CommandOutcome {
  readonly command: 'probe' | 'frames';
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly durationMs: number;
  /** What broke a promise; empty when the run behaved. */
  readonly problems: readonly string[];
}

export interface CaseOutcome {
  readonly fuzzCase: FuzzCase;
  readonly commands: readonly CommandOutcome[];
}

/** Exit codes a damaged input may legitimately produce (README: 0 ok, 3-7 input/limit/ffmpeg/deadline). */
const acceptedExitCodes = new Set([0, 3, 4, 5, 6, 7, 10]);
const stackTracePattern = /^\s+at .+:\d+:\d+\)?$/m;

/** Processes on the machine whose command line mentions `needle`, i.e. ffmpeg children working on the mutant. */
export function processesMentioning(needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (commandLine.includes(needle) && !commandLine.includes('src/cli/main.ts')) found.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

async function survivors(needle: string, graceMs: number): Promise<number[]> {
  const giveUpAt = Date.now() + graceMs;
  for (;;) {
    const left = processesMentioning(needle);
    if (left.length === 0 || Date.now() > giveUpAt) return left;
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 50));
  }
}

function runCli(
  args: readonly string[],
  hangLimitMs: number,
): Promise<{
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  hung: boolean;
  durationMs: number;
}> {
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let hung = false;
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += chunk.toString();
    });
    const killer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, hangLimitMs);
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      clearTimeout(killer);
      resolvePromise({ exitCode, signal: hung ? null : signal, stderr, hung, durationMs: Date.now() - started });
    });
  });
}

export interface RunCaseOptions {
  /** A fresh directory for this case (the mutant and the --out target go there). */
  readonly directory: string;
  /** A CLI run longer than this counts as a hang (default 60 s; probing has a 15 s deadline). */
  readonly hangLimitMs?: number;
}

/** Runs `vidtok probe` and `vidtok frames --out` on the mutant of `fuzzCase`. */
export async function runFuzzCase(fuzzCase: FuzzCase, options: RunCaseOptions): Promise<CaseOutcome> {
  await fs.mkdir(options.directory, { recursive: true });
  const mutant = join(options.directory, `mutant-${fuzzCase.clip.replace(/\W+/g, '-')}-${fuzzCase.seed}.mp4`);
  await fs.writeFile(mutant, applyOperations(readFileSync(sharedVideo(fuzzCase.clip)), fuzzCase.operations));
  const outDirectory = join(options.directory, 'frames-out');
  const commands: CommandOutcome[] = [];
  const plans: Array<{ command: 'probe' | 'frames'; args: string[] }> = [
    { command: 'probe', args: ['probe', mutant, '--json'] },
    { command: 'frames', args: ['frames', mutant, '--count', '4', '--size', '64x48', '--out', outDirectory] },
  ];
  for (const plan of plans) {
    const result = await runCli(plan.args, options.hangLimitMs ?? 60_000);
    const problems: string[] = [];
    if (result.hung) problems.push(`hang: still running after ${options.hangLimitMs ?? 60_000} ms`);
    else if (result.signal) problems.push(`killed by ${result.signal}`);
    else if (result.exitCode === 1) problems.push(`internal error (exit 1): ${result.stderr.trim().split('\n')[0]}`);
    else if (!acceptedExitCodes.has(result.exitCode ?? -1)) problems.push(`unexpected exit code ${result.exitCode}`);
    if (stackTracePattern.test(result.stderr)) problems.push('stack trace on stderr');
    const left = await survivors(mutant, 3000);
    if (left.length > 0) {
      problems.push(`ffmpeg/ffprobe left running: pids ${left.join(', ')}`);
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    if (plan.command === 'frames') {
      const partial = readdirSync(options.directory).filter((name) => name.includes('.partial'));
      if (partial.length > 0) problems.push(`partial output left: ${partial.join(', ')}`);
      const written = existsSync(outDirectory);
      if (result.exitCode === 0 && !existsSync(join(outDirectory, 'index.json')))
        problems.push('exit 0 without index.json');
      if (result.exitCode !== 0 && written && readdirSync(outDirectory).length > 0)
        problems.push('failed run left files in --out');
    }
    commands.push({
      command: plan.command,
      exitCode: result.exitCode,
      signal: result.signal,
      durationMs: result.durationMs,
      problems,
    });
  }
  await fs.rm(options.directory, { recursive: true, force: true });
  return { fuzzCase, commands };
}

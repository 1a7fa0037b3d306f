/**
 * @file A fuzz campaign: the kept regression cases first, then new seeded cases over every clip in
 * ../shared/videos, a few at a time, until a case count or a time budget is reached. Returns the figures the
 * README reports (runs, wall time, outcomes by exit code, failures with their cases).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir, sharedVideo, sharedVideosDir } from '../helpers/paths.js';
import { describeCase, generateOperations, type FuzzCase } from './fuzz-mutations.js';
import { runFuzzCase, type CaseOutcome } from './fuzz-runner.js';

export const regressionCorpusPath = new URL('./fuzz-regressions.json', import.meta.url);

export interface CampaignOptions {
  /** First seed of the new cases (case i uses seed `firstSeed + i`). */
  readonly firstSeed: number;
  /** How many new cases at most. */
  readonly maxCases: number;
  /** Stop starting new cases after this long (the kept regression cases always run). */
  readonly budgetMs: number;
  /** Cases run at the same time (default 2). */
  readonly parallel?: number;
  readonly onOutcome?: (outcome: CaseOutcome) => void;
}

export interface CampaignFigures {
  readonly regressionCases: number;
  readonly newCases: number;
  readonly cliRuns: number;
  readonly wallMs: number;
  /** CLI runs per exit code ('signal' for deaths by signal, 'hang' for runs killed by the hang limit). */
  readonly exitCodes: Readonly<Record<string, number>>;
  readonly failures: ReadonlyArray<{ readonly fuzzCase: FuzzCase; readonly problems: readonly string[] }>;
}

export function loadRegressionCases(): FuzzCase[] {
  return JSON.parse(readFileSync(regressionCorpusPath, 'utf8')) as FuzzCase[];
}

/** The clips in ../shared/videos, sorted (case i mutates clip i mod n). */
export function fuzzClips(): string[] {
  return readdirSync(sharedVideosDir)
    .filter((name) => /\.(mp4|mkv|mov|webm|ts)$/i.test(name))
    .sort();
}

export function newCase(clips: readonly string[], seed: number): FuzzCase {
  const clip = clips[seed % clips.length]!;
  return { clip, seed, operations: generateOperations(seed, statSync(sharedVideo(clip)).size) };
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignFigures> {
  const started = Date.now();
  const regressions = loadRegressionCases();
  const clips = fuzzClips();
  const base = scratchDir('fuzz');
  // The unmutated clip must pass first: if it does not, the build or the machine is broken, not the inputs, and
  // nothing may be kept as a regression case.
  const baseline = await runFuzzCase(
    { clip: clips[0]!, seed: -1, operations: [] },
    { directory: join(base, 'baseline') },
  );
  const baselineProblems = baseline.commands.flatMap((command) => command.problems);
  if (baselineProblems.length > 0 || baseline.commands.some((command) => command.exitCode !== 0)) {
    throw new Error(
      `the unmutated clip ${clips[0]} fails, so the build or the machine is broken: ${baselineProblems.join('; ') || 'non-zero exit'}`,
    );
  }
  const queue: FuzzCase[] = [...regressions];
  let generated = 0;
  const exitCodes: Record<string, number> = {};
  const failures: Array<{ fuzzCase: FuzzCase; problems: string[] }> = [];
  let cliRuns = 0;
  let newCases = 0;
  const next = (): FuzzCase | undefined => {
    const kept = queue.shift();
    if (kept) return kept;
    if (generated >= options.maxCases || Date.now() - started > options.budgetMs) return undefined;
    const fuzzCase = newCase(clips, options.firstSeed + generated);
    generated += 1;
    newCases += 1;
    return fuzzCase;
  };
  let index = 0;
  const lane = async (): Promise<void> => {
    for (let fuzzCase = next(); fuzzCase; fuzzCase = next()) {
      index += 1;
      const outcome = await runFuzzCase(fuzzCase, { directory: join(base, `case-${index}`) });
      const problems: string[] = [];
      for (const command of outcome.commands) {
        cliRuns += 1;
        const key = command.problems.some((problem) => problem.startsWith('hang'))
          ? 'hang'
          : command.signal
            ? 'signal'
            : String(command.exitCode);
        exitCodes[key] = (exitCodes[key] ?? 0) + 1;
        problems.push(...command.problems.map((problem) => `${command.command}: ${problem}`));
      }
      if (problems.length > 0) failures.push({ fuzzCase, problems: [describeCase(fuzzCase), ...problems] });
      options.onOutcome?.(outcome);
    }
  };
  await Promise.all(Array.from({ length: options.parallel ?? 2 }, () => lane()));
  return { regressionCases: regressions.length, newCases, cliRuns, wallMs: Date.now() - started, exitCodes, failures };
}

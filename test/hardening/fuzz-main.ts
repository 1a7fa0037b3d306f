/**
 * @file `npm run fuzz -- [--cases N] [--seed S] [--minutes M] [--parallel P]`: a longer fuzz campaign than the one
 * in the normal suite. Prints the figures (runs, wall time, exit codes, failures) and appends every failing case to
 * test/hardening/fuzz-regressions.json, so it is replayed by every later `npm test` (FFmpeg's FATE practice).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadRegressionCases, regressionCorpusPath, runCampaign } from './fuzz-campaign.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '500' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000_000) },
    minutes: { type: 'string', default: '20' },
    parallel: { type: 'string', default: '2' },
  },
});
const firstSeed = Number(values.seed);
let done = 0;
const figures = await runCampaign({
  firstSeed,
  maxCases: Number(values.cases),
  budgetMs: Number(values.minutes) * 60_000,
  parallel: Number(values.parallel),
  onOutcome: (outcome) => {
    done += 1;
    const bad = outcome.commands.flatMap((command) => command.problems);
    const codes = outcome.commands
      .map((command) => `${command.command}=${command.exitCode ?? command.signal}`)
      .join(' ');
    process.stderr.write(
      `${String(done).padStart(5)} ${outcome.fuzzCase.clip} seed ${outcome.fuzzCase.seed}: ${codes}${bad.length ? `  FAILED: ${bad.join('; ')}` : ''}\n`,
    );
  },
});
if (figures.failures.length > 0) {
  const kept = loadRegressionCases();
  const known = new Set(kept.map((fuzzCase) => `${fuzzCase.clip}:${fuzzCase.seed}`));
  for (const failure of figures.failures) {
    if (known.has(`${failure.fuzzCase.clip}:${failure.fuzzCase.seed}`)) continue;
    kept.push({ ...failure.fuzzCase, note: failure.problems.slice(1).join('; ') });
  }
  writeFileSync(regressionCorpusPath, `${JSON.stringify(kept, null, 1)}\n`);
}
process.stdout.write(
  `${JSON.stringify({ firstSeed, regressionCases: figures.regressionCases, newCases: figures.newCases, cliRuns: figures.cliRuns, wallSeconds: Math.round(figures.wallMs / 1000), exitCodes: figures.exitCodes, failures: figures.failures.map((failure) => failure.problems) }, null, 2)}\n`,
);
process.exit(figures.failures.length > 0 ? 10 : 0);

/**
 * @file The fuzz test of the normal suite: every kept regression case, then new seeded mutants of the clips in
 * ../shared/videos for at most ~75 s, each run through `vidtok probe` and `vidtok frames --out` as real CLI
 * processes. Fails on an internal error (exit 1), a death by signal, a hang, a stack trace, an ffmpeg left running
 * or a partial --out output. `npm run fuzz` runs longer campaigns and keeps new failures as regression cases.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadRegressionCases, runCampaign } from './fuzz-campaign.js';
import { applyOperations, generateOperations } from './fuzz-mutations.js';

describe('fuzzed media', () => {
  it('mutations are reproducible from their seed and change the bytes', () => {
    const original = Buffer.alloc(100_000, 7);
    const first = generateOperations(42, original.length);
    assert.deepEqual(generateOperations(42, original.length), first);
    assert.notDeepEqual(generateOperations(43, original.length), first);
    assert.ok(
      !applyOperations(original, first).equals(original) || first.every((operation) => operation.kind === 'duplicate'),
    );
  });

  it('regression corpus cases and seeded mutants: no exit 1, signal, hang, stack trace, orphan or partial output', {
    timeout: 240_000,
  }, async () => {
    const firstSeed = Number(process.env.VIDTOK_FUZZ_SEED ?? 20_261_201);
    const figures = await runCampaign({ firstSeed, maxCases: 200, budgetMs: 75_000, parallel: 2 });
    assert.ok(figures.regressionCases === loadRegressionCases().length);
    assert.ok(figures.newCases >= 4, `at least a few new cases ran (${figures.newCases})`);
    assert.deepEqual(
      figures.failures.map((failure) => failure.problems.join('; ')),
      [],
      `seed ${firstSeed}: ${JSON.stringify(figures.exitCodes)}; rerun one with npm run fuzz -- --seed <seed> --cases 1`,
    );
  });
});

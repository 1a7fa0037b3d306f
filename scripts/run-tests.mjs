#!/usr/bin/env node
// Runs the quality gates (scripts/quality-gates.mjs), then the test suite with Node's built-in test runner
// (TypeScript through tsx). Node 20 has no glob support in `node --test`, so this collects test/**/*.test.ts itself. Arguments narrow the run: `npm test -- test/ingest`.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { ensureTestDependencies } from './ensure-test-deps.mjs';
import { runQualityGates } from './quality-gates.mjs';

function collect(path, out) {
  const stats = statSync(path);
  if (stats.isFile()) {
    if (path.endsWith('.test.ts')) out.push(path);
    return out;
  }
  for (const entry of readdirSync(path).sort()) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    collect(join(path, entry), out);
  }
  return out;
}

const roots = process.argv.slice(2);
const files = (roots.length > 0 ? roots : ['test']).flatMap((root) => collect(resolve(root), []));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// The whole suite first passes the quality gates (type check, lint, format check); a narrowed run
// (`npm test -- test/ingest`) and VIDTOK_SKIP_GATES=1 (CI's second and third Node versions) skip them.
if (roots.length === 0 && process.env.VIDTOK_SKIP_GATES !== '1') {
  const gates = runQualityGates();
  if (gates !== 0) process.exit(gates);
}
if (!ensureTestDependencies()) process.exit(1);
const concurrency = process.env.TEST_CONCURRENCY ?? String(Math.max(1, availableParallelism()));
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, VIDTOK_TEST: '1' } },
);
process.exit(result.status ?? 1);

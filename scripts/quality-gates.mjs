#!/usr/bin/env node
// The quality gates `npm test` runs before the tests: the type check over src, test, bench, scripts and samples
// (`tsc --noEmit` with tsconfig.json), then Biome's lint and format check (`biome ci`: no file is written). Each
// gate prints its own findings; the first failing gate stops the run with its exit code. `npm run lint:fix`
// applies Biome's safe fixes and formatting.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

/** Runs the gates; returns the exit code of the first failing one, or 0. */
export function runQualityGates() {
  const gates = [
    ['typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']],
    ['lint and format', bin('biome'), ['ci', '--reporter=summary', '.']],
  ];
  for (const [name, command, args] of gates) {
    const started = Date.now();
    const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
    const status = result.status ?? 1;
    process.stdout.write(
      `quality gate ${name}: ${status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
    if (status !== 0) return status;
  }
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(runQualityGates());

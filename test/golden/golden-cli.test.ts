// `vidtok golden`: last line `N passed, M failed`, failing cases listed, exit 0 only when every case passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { goldenCasesDir, repoRoot, scratchDir } from '../helpers/paths.js';

function vidtok(...args: string[]): { code: number | null; lines: string[] } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, lines: result.stdout.trimEnd().split('\n') };
}

test('all cases pass: exit 0 and the summary alone on the last line', () => {
  const { code, lines } = vidtok('golden', goldenCasesDir, '--filter', 'bvllm_temporal_merge');
  assert.equal(code, 0);
  assert.deepEqual(lines, ['3 passed, 0 failed']);
});

test('a failing case is listed, the summary counts it and the exit code is 10', () => {
  const directory = scratchDir('golden-cli');
  cpSync(join(goldenCasesDir, 'spatial_pool-3'), join(directory, 'spatial_pool-3'), { recursive: true });
  cpSync(join(goldenCasesDir, 'spatial_pool-1'), join(directory, 'spatial_pool-1-unknown'), { recursive: true });
  writeFileSync(
    join(directory, 'spatial_pool-1-unknown', 'case.json'),
    JSON.stringify({ op: 'nope', params: {}, inputs: {}, outputs: {} }),
  );
  const { code, lines } = vidtok('golden', directory);
  assert.equal(code, 10);
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^FAIL spatial_pool-1-unknown \(nope\): unknown op 'nope'/);
  assert.equal(lines[1], '1 passed, 1 failed');
  const verbose = vidtok('golden', directory, '--verbose', '--filter', 'spatial_pool-3');
  assert.equal(verbose.code, 0);
  assert.deepEqual(verbose.lines, ['PASS spatial_pool-3 (spatial_pool): ok', '1 passed, 0 failed']);
  const json = vidtok('golden', directory, '--json');
  const parsed = JSON.parse(json.lines.join('\n')) as {
    passed: number;
    failed: number;
    results: { name: string; ok: boolean }[];
  };
  assert.deepEqual([parsed.passed, parsed.failed, parsed.results.length], [1, 1, 2]);
});

// Golden conformance: every case of ../shared/golden/cases as its own named subtest (all 140 verify, the B-VLLM
// temporal-merge cases with their separate y_in/y_out), and the runner's handling of corrupted, unknown and
// unreadable cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runGoldenCase, runGoldenDirectory } from '../../src/golden/run-golden.js';
import { encodeNpy, parseNpy } from '../../src/golden/npy.js';
import { goldenCasesDir, scratchDir } from '../helpers/paths.js';

const caseNames = readdirSync(goldenCasesDir)
  .filter((name) => existsSync(join(goldenCasesDir, name, 'case.json')))
  .sort();

test('the shared golden directory holds cases of every op', () => {
  const ops = new Set(
    caseNames.map((name) => JSON.parse(readFileSync(join(goldenCasesDir, name, 'case.json'), 'utf8')).op),
  );
  for (const op of [
    'frame_indices',
    'pllava_pool',
    'slowfast',
    'ts_sample',
    'thumbnail',
    'image_grid',
    'bvllm_temporal_merge',
    'tome_merge',
    'scene_tilling',
    'slowfast_shi',
    'spatial_pool',
  ]) {
    assert.ok(ops.has(op), `no case for op ${op}`);
  }
});

test('shared golden cases', async (t) => {
  for (const name of caseNames) {
    const result = await runGoldenCase(join(goldenCasesDir, name), name);
    await t.test(name, () => {
      assert.equal(result.ok, true, result.detail);
    });
  }
});

test('a deliberately corrupted copy of a case fails and names the worst element', async () => {
  const directory = scratchDir('golden-corrupt');
  const source = join(goldenCasesDir, 'pllava_pool-1');
  const target = join(directory, 'pllava_pool-1-corrupted');
  cpSync(source, target, { recursive: true });
  const array = parseNpy(readFileSync(join(target, 'y.npy')));
  assert.equal(array.dtype, 'float32');
  const data = Float32Array.from(array.data as Float32Array);
  data[37] = data[37]! + 0.5;
  writeFileSync(join(target, 'y.npy'), encodeNpy({ dtype: 'float32', shape: array.shape, data }));
  cpSync(source, join(directory, 'pllava_pool-1-intact'), { recursive: true });
  const result = await runGoldenDirectory(directory);
  assert.equal(result.passed, 1);
  assert.equal(result.failed, 1);
  const failed = result.results.find((r) => !r.ok)!;
  assert.equal(failed.name, 'pllava_pool-1-corrupted');
  // y is [16,4,4,24]: flat index 37 is [0,0,1,13].
  assert.match(failed.detail, /y: 1 of 6144 values differ; worst at \[0,0,1,13\]/);
});

test('an unknown op, a wrong output shape and a broken file are failed cases, not crashes', async () => {
  const directory = scratchDir('golden-bad');
  const unknown = join(directory, 'mystery-0');
  cpSync(join(goldenCasesDir, 'spatial_pool-3'), unknown, { recursive: true });
  const spec = JSON.parse(readFileSync(join(unknown, 'case.json'), 'utf8'));
  writeFileSync(join(unknown, 'case.json'), JSON.stringify({ ...spec, op: 'mystery_op' }));
  const shape = join(directory, 'shape-0');
  cpSync(join(goldenCasesDir, 'spatial_pool-3'), shape, { recursive: true });
  writeFileSync(join(shape, 'case.json'), JSON.stringify({ ...spec, params: { ...spec.params, grid: [2, 2] } }));
  const broken = join(directory, 'broken-0');
  cpSync(join(goldenCasesDir, 'spatial_pool-3'), broken, { recursive: true });
  writeFileSync(join(broken, 'x.npy'), 'not numpy');
  const result = await runGoldenDirectory(directory);
  assert.equal(result.failed, 3);
  const byName = new Map(result.results.map((r) => [r.name, r]));
  assert.match(byName.get('mystery-0')!.detail, /unknown op 'mystery_op'/);
  assert.match(byName.get('shape-0')!.detail, /shape \[2,2,2,8\] != expected \[2,4,4,8\]/);
  assert.match(byName.get('broken-0')!.detail, /x\.npy: not a \.npy file/);
});

test('--filter narrows the run and a missing directory is a typed error', async () => {
  const result = await runGoldenDirectory(goldenCasesDir, { filter: 'tome_merge-' });
  assert.equal(result.results.length, 5);
  assert.ok(result.results.every((r) => r.op === 'tome_merge'));
  await assert.rejects(runGoldenDirectory(join(goldenCasesDir, 'does-not-exist')), { code: 'INPUT_NOT_FOUND' });
});

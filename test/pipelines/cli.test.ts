/**
 * @file `vidtok tokens` and `vidtok pipelines` through the real CLI entry point: output formats, `--dump-tokens`,
 * and the documented exit codes with one-line messages for an exceeded budget, an invalid pipeline file and an
 * unknown pipeline.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { listBuiltInPipelines } from '../../src/graph/pipeline-registry.js';
import { parseNpy } from '../../src/golden/npy.js';
import { repoRoot, scratchDir, sharedVideo } from '../helpers/paths.js';

function vidtok(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('vidtok pipelines lists every built-in pipeline with its budget; --json is parseable', async () => {
  const text = vidtok('pipelines');
  assert.equal(text.code, 0, text.stderr);
  for (const [name, budget] of [
    ['pllava', '2304'],
    ['ts-llava', '3456'],
    ['slowfast-llava', '3680'],
    ['ig-vlm', '576'],
    ['b-vllm', '576'],
    ['b-vllm-prefilter', '576'],
    ['b-vllm-pllava', '2304'],
    ['scenetilling', '1248'],
    ['uniform', '4608'],
  ]) {
    assert.match(text.stdout, new RegExp(`^${name}\\s+${budget}\\s`, 'm'));
  }
  const json = JSON.parse(vidtok('pipelines', '--json', '--stages').stdout);
  assert.equal(json.pipelines.length, (await listBuiltInPipelines()).length);
  assert.ok(json.stages.some((stage: { name: string }) => stage.name === 'slowfast'));
});

test('vidtok tokens prints segments and totals; --json and --dump-tokens agree', () => {
  const directory = scratchDir('cli-tokens');
  const dump = join(directory, 'tokens.npy');
  const text = vidtok('tokens', sharedVideo('boat.mp4'), '--pipeline', 'ig-vlm');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /pipeline ig-vlm, encoder pixels:336\/14 \(D=588\)/);
  assert.match(text.stdout, /grid \(image\)\s+576\s+6/);
  assert.match(text.stdout, /visual tokens: 576 in 1 segments \(budget 576\)/);
  const json = vidtok(
    'tokens',
    sharedVideo('boat.mp4'),
    '-p',
    'slowfast-llava',
    '--encoder',
    'pixels:224/16',
    '--json',
    '--dump-tokens',
    dump,
  );
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  assert.equal(report.totalTokens, 10 * 14 * 7 + 50 * 2 * 2); // fast grid 1/6 of 14x14 = 2x2
  assert.deepEqual(
    report.segments.map((segment: { role: string }) => segment.role),
    ['slow', 'fast'],
  );
  assert.equal(report.frames.length, 50);
  assert.equal(typeof report.timings.encode, 'number');
  assert.ok(!('tokens' in report.segments[0]), 'no token values in JSON');
  const array = parseNpy(readFileSync(dump));
  assert.deepEqual(array.shape, [report.totalTokens, 768]);
});

test('an exceeded budget exits 5 with a one-line message saying by how much', () => {
  const result = vidtok('tokens', sharedVideo('boat.mp4'), '-p', 'pllava', '--budget', '1000');
  assert.equal(result.code, 5);
  assert.equal(result.stderr.trim().split('\n').length, 1);
  assert.match(result.stderr, /needs 2304 tokens but the budget is 1000 \(over by 1304\)/);
  assert.equal(result.stdout, '');
});

test('an invalid pipeline file exits 9 naming the file and the field; an unknown name exits 9 too', () => {
  const directory = scratchDir('cli-pipeline');
  const file = join(directory, 'broken.yaml');
  writeFileSync(
    file,
    'name: broken\ndescription: d\nversion: 1\nbudget: 10\nframes: {count: 4, rule: igvlm}\nstages:\n  - id: pool\n    use: pllava\n    params: {shape: [4, 2]}\noutput: pool\n',
  );
  const broken = vidtok('tokens', sharedVideo('boat.mp4'), '-p', file);
  assert.equal(broken.code, 9);
  assert.match(broken.stderr, /broken\.yaml: \/stages\/0\/params\/shape: /);
  const unknown = vidtok('tokens', sharedVideo('boat.mp4'), '-p', 'nonesuch');
  assert.equal(unknown.code, 9);
  assert.match(unknown.stderr, /nonesuch: .*built-in: /);
});

test("--encoder <model directory> runs the pipeline on the model's vision encoder (fixture SmolVLM2: split image)", () => {
  const model = join(repoRoot, 'test', 'fixtures', 'models', 'smolvlm2-tiny');
  const result = vidtok('tokens', sharedVideo('boat.mp4'), '-p', 'ig-vlm', '--encoder', model, '--json');
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  // IG-VLM's 3x2 grid of 592x336 frames (1184x1008) goes through SmolVLM2's image splitting: longest edge 2048,
  // 4x4 tiles of 512 px plus the global image, 64 tokens each.
  assert.equal(report.totalTokens, 17 * 64);
  assert.equal(report.segments[0].role, 'grid');
  assert.equal(report.dim, JSON.parse(readFileSync(join(model, 'config.json'), 'utf8')).text_config.hidden_size);
});

/**
 * @file The single-stage harness runs a stage as the graph would (defaults, resolve, negotiate, run, output check)
 * and catches a stage whose output disagrees with its negotiated caps. Used here to run the grid-relative strategy
 * stages on each family's token grid.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { featureGrid } from '../../src/core/feature-grid.js';
import { createPixelsEncoder } from '../../src/encoders/index.js';
import type { StageDescriptor } from '../../src/graph/stage.js';
import { runStageHarness } from '../../src/graph/stage-harness.js';
import { StageOutputMismatchError } from '../../src/graph/stage-output-check.js';
import { pllavaStage } from '../../src/strategies/pllava/pllava-stage.js';
import { slowFastStage } from '../../src/strategies/slowfast/slowfast-stages.js';
import { tsLlavaSampleStage } from '../../src/strategies/ts-llava/ts-llava-stages.js';
import { familyShapeEncoder } from '../helpers/family-shape-encoder.js';
import { repoRoot } from '../helpers/paths.js';

function features(T: number, h: number, w: number, D = 4) {
  const grid = featureGrid(
    T,
    h,
    w,
    D,
    new Float32Array(T * h * w * D).map((_, i) => Math.sin(i)),
    Array.from({ length: T }, (_, t) => t),
    Array.from({ length: T }, (_, t) => t),
  );
  return { caps: { kind: 'features' as const, T, h, w, D }, payload: { kind: 'features' as const, grid } };
}

const configs = join(repoRoot, 'test', 'fixtures', 'model-configs');
const grids = [
  { name: 'pixels', encoder: createPixelsEncoder(), side: 24 },
  { name: 'smolvlm2', encoder: familyShapeEncoder(join(configs, 'smolvlm2-256m'), 's'), side: 8 },
  { name: 'llava-onevision', encoder: familyShapeEncoder(join(configs, 'llava-onevision-0.5b'), 'l'), side: 14 },
  { name: 'idefics3', encoder: familyShapeEncoder(join(configs, 'smolvlm-idefics3'), 'i'), side: 9 },
];

for (const { name, encoder, side } of grids) {
  test(`grid-relative stages resolve and produce their count on the ${name} grid (${side}x${side})`, async () => {
    const half = Math.floor(side / 2);
    const pllava = await runStageHarness(pllavaStage, { in: features(16, side, side) }, { encoder });
    assert.deepEqual(pllava.params.shape, [16, half, half]);
    assert.equal(pllava.caps.kind === 'tokens' && pllava.caps.count, 16 * half * half);

    const sample = await runStageHarness(tsLlavaSampleStage, { in: features(50, side, side) }, { encoder });
    assert.equal(sample.params.count, 5 * side * side);

    const slowfast = await runStageHarness(slowFastStage, { in: features(50, side, side) }, { encoder });
    const fast = Math.max(1, Math.floor(side / 6));
    assert.deepEqual(slowfast.params.fastGrid, [fast, fast]);
    assert.equal(
      slowfast.caps.kind === 'tokens' && slowfast.caps.count,
      10 * side * Math.ceil(side / 2) + 50 * fast * fast,
    );
  });
}

test('a stage whose output disagrees with its negotiated caps is an internal error naming it', async () => {
  const lying: StageDescriptor<Record<string, never>> = {
    name: 'lying',
    version: 1,
    description: 'claims one token per frame, returns two',
    inputs: { in: 'features' },
    output: 'tokens',
    paramsSchema: {},
    defaults: {},
    negotiate: (inputs) => ({ kind: 'tokens', count: (inputs['in'] as { T: number }).T, D: 4 }),
    run: async (inputs) => {
      const grid = (inputs['in'] as { grid: { T: number } }).grid;
      const tokens = new Float32Array(grid.T * 2 * 4);
      return {
        kind: 'tokens',
        segments: [
          { type: 'visual', role: 'frames', tokens, count: grid.T * 2, dim: 4, timestamps: [], frameIndices: [] },
        ],
      };
    },
  };
  await assert.rejects(
    runStageHarness(lying, { in: features(3, 2, 2) }, { encoder: createPixelsEncoder() }),
    (error: unknown) => {
      assert.ok(error instanceof StageOutputMismatchError);
      assert.match(error.message, /stage 'lying' produced 6 tokens but planned 3/);
      return true;
    },
  );
});

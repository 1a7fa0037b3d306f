/**
 * @file Graph building: every structural problem (unknown stage, wrong kind, unknown port, cycle, bad output) and
 * every budget problem is an error naming the stage, raised before any frame is decoded; the built-in pipelines
 * negotiate to the token counts of their papers' formulas; `reduce-frames` finds the largest frame count that fits.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPixelsEncoder } from '../../src/encoders/index.js';
import { BudgetExceededError, GraphNegotiationError } from '../../src/errors/index.js';
import { buildGraph, resolveBudget, planGraph } from '../../src/graph/build-graph.js';
import { listBuiltInPipelines, resolvePipeline } from '../../src/graph/pipeline-registry.js';
import { testPipeline } from '../helpers/test-pipeline.js';

const encoder = createPixelsEncoder();
const source = (count: number) => ({ count, width: 336, height: 336 });

function definition(stages: unknown[], output: string, extra: Record<string, unknown> = {}) {
  return testPipeline({ stages, output, ...extra });
}

function negotiationError(stage: string, pattern: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof GraphNegotiationError, `expected GraphNegotiationError, got ${String(error)}`);
    assert.equal(error.stage, stage);
    assert.match(error.message, pattern);
    assert.match(error.message, new RegExp(`stage '${stage}'`));
    return true;
  };
}

test('a stage fed the wrong kind is named with both kinds', () => {
  const pipeline = definition([{ id: 'tokens', use: 'uniform', inputs: 'frames' }], 'tokens');
  assert.throws(
    () => buildGraph(pipeline, { encoder, source: source(8) }),
    negotiationError('tokens', /accepts features but 'frames' produces frames/),
  );
});

test('binding a port the stage does not have names the stage and its ports', () => {
  const pipeline = definition(
    [
      { id: 'encode', use: 'encode' },
      { id: 'pool', use: 'pllava', inputs: { video: 'encode' } },
    ],
    'pool',
  );
  assert.throws(
    () => buildGraph(pipeline, { encoder, source: source(8) }),
    negotiationError('pool', /no input port 'video' \(ports: in\)/),
  );
});

test('a cycle is reported with the stages on it', () => {
  const pipeline = definition(
    [
      { id: 'encode', use: 'encode' },
      { id: 'a', use: 'concat', inputs: ['b'] },
      { id: 'b', use: 'concat', inputs: ['a'] },
    ],
    'b',
  );
  assert.throws(
    () => buildGraph(pipeline, { encoder, source: source(8) }),
    (error: unknown) => {
      assert.ok(error instanceof GraphNegotiationError);
      assert.match(error.message, /cycle: (a -> b -> a|b -> a -> b)/);
      return true;
    },
  );
});

test('an output that produces no tokens is rejected, naming the stage', () => {
  const pipeline = definition([{ id: 'encode', use: 'encode' }], 'encode');
  assert.throws(
    () => buildGraph(pipeline, { encoder, source: source(8) }),
    negotiationError('encode', /is the output but produces features/),
  );
});

test('a stage problem found in negotiation names the stage id (too many sampled tokens, too few frames)', () => {
  const sample = definition(
    [
      { id: 'encode', use: 'encode' },
      { id: 'sampled', use: 'ts-llava-sample', params: { count: 5000 } },
    ],
    'sampled',
  );
  assert.throws(
    () => buildGraph(sample, { encoder, source: source(8) }),
    negotiationError('sampled', /cannot sample 5000 tokens from 4608/),
  );
  const grid = definition(
    [
      { id: 'grid', use: 'ig-vlm-grid', inputs: 'frames' },
      { id: 'tokens', use: 'encode-image' },
    ],
    'tokens',
  );
  assert.throws(
    () => buildGraph(grid, { encoder, source: source(4) }),
    negotiationError('grid', /needs at least 6 frames but the source gives 4/),
  );
});

test('concat of inputs with different token dimensions fails at build time', () => {
  const pipeline = definition(
    [
      { id: 'encode', use: 'encode' },
      { id: 'all', use: 'uniform', inputs: 'encode' },
      { id: 'thumbnail', use: 'ts-llava-thumbnail', inputs: 'frames' },
      { id: 'image', use: 'encode-image', inputs: 'thumbnail' },
      { id: 'joined', use: 'concat', inputs: ['all', 'image'] },
    ],
    'joined',
  );
  const graph = buildGraph(pipeline, { encoder, source: source(8) });
  assert.equal(graph.tokenCount, 8 * 576 + 576);
  assert.deepEqual(graph.nodes.map((node) => node.id).indexOf('joined'), graph.nodes.length - 1);
});

test('budget exceeded: BudgetExceededError says by how much, before decoding', async () => {
  const pllava = await resolvePipeline('pllava');
  assert.throws(
    () => buildGraph(pllava, { encoder, source: source(16), budget: 2000 }),
    (error: unknown) => {
      assert.ok(error instanceof BudgetExceededError);
      assert.equal(error.needed, 2304);
      assert.equal(error.allowed, 2000);
      assert.match(error.message, /over by 304/);
      assert.match(error.message, /pllava/);
      return true;
    },
  );
  assert.throws(
    () => buildGraph(pllava, { encoder, source: source(16), contextWindow: 2048 }),
    (error: unknown) => {
      assert.ok(error instanceof BudgetExceededError);
      assert.match(error.message, /context window.*over by 256/);
      return true;
    },
  );
});

test('onOverBudget: reduce-frames keeps the largest frame count that fits', async () => {
  const uniform = { ...(await resolvePipeline('uniform')), onOverBudget: 'reduce-frames' as const };
  const graph = planGraph(uniform, { encoder, source: source(8), budget: 2000 });
  assert.deepEqual(graph.reducedFrames, { from: 8, to: 3 }); // 3 * 576 = 1728 <= 2000 < 4 * 576
  assert.equal(graph.tokenCount, 1728);
  assert.throws(() => planGraph(uniform, { encoder, source: source(8), budget: 500 }), BudgetExceededError);
  const failing = await resolvePipeline('uniform');
  assert.throws(() => planGraph(failing, { encoder, source: source(8), budget: 2000 }), BudgetExceededError);
});

test('built-in pipelines negotiate to their formulas (pixels 24x24 grid)', async () => {
  const expected: Record<string, { frames: number; tokens: number; upperBound: boolean }> = {
    uniform: { frames: 8, tokens: 8 * 24 * 24, upperBound: false },
    pllava: { frames: 16, tokens: 16 * 12 * 12, upperBound: false },
    'ts-llava': { frames: 50, tokens: 2880 + 24 * 24, upperBound: false },
    'ig-vlm': { frames: 6, tokens: 24 * 24, upperBound: false },
    'slowfast-llava': { frames: 50, tokens: 10 * 24 * 12 + 50 * 4 * 4, upperBound: false },
    'b-vllm': { frames: 64, tokens: 576, upperBound: true },
    'b-vllm-prefilter': { frames: 64, tokens: 576, upperBound: true },
    'b-vllm-pllava': { frames: 64, tokens: 16 * 12 * 12, upperBound: true },
    scenetilling: { frames: 16, tokens: 3 * 32 + 8 * 12 * 12, upperBound: true },
  };
  const pipelines = await listBuiltInPipelines();
  assert.deepEqual(pipelines.map((pipeline) => pipeline.name).sort(), Object.keys(expected).sort());
  for (const pipeline of pipelines) {
    const want = expected[pipeline.name]!;
    const graph = buildGraph(pipeline, { encoder, source: source(want.frames) });
    assert.equal(graph.tokenCount, want.tokens, pipeline.name);
    assert.equal(graph.tokenCountIsUpperBound, want.upperBound, pipeline.name);
    assert.ok(graph.tokenCount <= graph.budget, `${pipeline.name} fits its own budget`);
  }
});

test('negotiation follows the encoder geometry (pixels:224/16 gives a 14x14 grid)', async () => {
  const small = createPixelsEncoder({ size: 224, patch: 16 });
  const graph = buildGraph(await resolvePipeline('slowfast-llava'), {
    encoder: small,
    source: { count: 50, width: 224, height: 224 },
  });
  // The fast grid is 1/6 of the encoder's (floor, at least 1): 2x2 on 14x14, so the fast path stays the small one.
  assert.equal(graph.tokenCount, 10 * 14 * 7 + 50 * 2 * 2);
  assert.deepEqual(graph.nodes.find((node) => node.id === 'slowfast')!.params['fastGrid'], [2, 2]);
  assert.deepEqual(graph.nodes.find((node) => node.id === 'encode')!.caps, {
    kind: 'features',
    T: 50,
    h: 14,
    w: 14,
    D: 768,
  });
});

test('relative budgets resolve against the encoder geometry', async () => {
  const geometry = createPixelsEncoder().geometry!;
  assert.equal(resolveBudget({ frameTokens: 5, tileTokens: 1 }, geometry), 3456);
  assert.equal(resolveBudget({ frameTokens: 6.3889 }, geometry), 3680);
  assert.equal(resolveBudget(700, geometry), 700);
  const small = createPixelsEncoder({ size: 128, patch: 16 }); // 8x8 = 64 tokens per frame
  const graph = buildGraph(await resolvePipeline('ts-llava'), {
    encoder: small,
    source: { count: 50, width: 128, height: 128 },
  });
  assert.equal(graph.budget, 5 * 64 + 64);
  assert.equal(graph.tokenCount, 5 * 64 + 64);
});

test('an absolute pooling shape larger than the grid fails at build time naming the stage and the numbers', () => {
  const pipeline = definition(
    [
      { id: 'encode', use: 'encode' },
      { id: 'pool', use: 'pllava', params: { shape: [16, 12, 12] } },
    ],
    'pool',
  );
  const small = createPixelsEncoder({ size: 128, patch: 16 });
  assert.throws(
    () => buildGraph(pipeline, { encoder: small, source: { count: 16, width: 128, height: 128 } }),
    /pool.*12x12 is larger than the encoder's 8x8/,
  );
});

test('stages that do not feed the output are reported and not negotiated', () => {
  const pipeline = definition(
    [
      { id: 'encode', use: 'encode' },
      { id: 'unused', use: 'descriptors', inputs: 'encode' },
      { id: 'tokens', use: 'uniform', inputs: 'encode' },
    ],
    'tokens',
  );
  const graph = buildGraph(pipeline, { encoder, source: source(2) });
  assert.deepEqual(graph.unusedStages, ['unused']);
  assert.deepEqual(
    graph.nodes.map((node) => node.id),
    ['encode', 'tokens'],
  );
});

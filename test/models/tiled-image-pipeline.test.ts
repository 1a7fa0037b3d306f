/**
 * @file IG-VLM end to end on the fixture models: the grid goes through the family's high-resolution image path
 * (SmolVLM2 image splitting, LLaVA-OneVision anyres), and the prompt the session prefills has exactly one
 * placeholder per token of the tiled segment. For SmolVLM2 the context carries the processor's split-image string
 * (one `<row_r_col_c>` per tile, in row-major order, then the global image) and the intro counts the grid's six
 * source frames.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { VisualSegment } from '../../src/core/token-stream.js';
import { runPipeline } from '../../src/pipeline/run-pipeline.js';
import { loadModel, type VlmModel } from '../../src/runtime/index.js';
import { llavaOnevisionFixture, smolvlm2Fixture } from '../runtime/fixture-models.js';
import { yogaClip } from '../uses/use-fixtures.js';

function onlyVisual(segments: readonly { type: string }[]): VisualSegment {
  const visual = segments.filter((segment): segment is VisualSegment => segment.type === 'visual');
  assert.equal(visual.length, 1, 'IG-VLM gives one image');
  return visual[0]!;
}

describe('IG-VLM through the SmolVLM2 fixture', () => {
  let model: VlmModel;
  before(async () => {
    model = await loadModel(smolvlm2Fixture, { runner: 'in-process' });
  });
  after(async () => {
    await model?.dispose();
  });

  it('writes the split-image string with one <image> per token and six frames in the intro', async () => {
    const run = await runPipeline(yogaClip, { pipeline: 'ig-vlm', encoder: model.encoder() });
    const grid = onlyVisual(run.segments);
    const tiles = grid.tiles;
    assert.ok(tiles !== undefined && tiles.rows * tiles.cols > 1, 'the grid was split into tiles');
    assert.equal(grid.count, tiles.rows * tiles.cols * tiles.tokensPerTile + tiles.globalTokens);
    const text = model.family.contextText(run, model.tokenizer, { videoDuration: run.probe.duration });
    assert.ok(text.includes('series of six frames'));
    const rowTokens = [...text.matchAll(/<row_(\d)_col_(\d)>/g)].map((match) => `${match[1]},${match[2]}`);
    const expected: string[] = [];
    for (let row = 1; row <= tiles.rows; row++)
      for (let column = 1; column <= tiles.cols; column++) expected.push(`${row},${column}`);
    assert.deepEqual(rowTokens, expected, 'tiles row-major');
    const session = await model.createSession(run, { videoDuration: run.probe.duration });
    try {
      const imageId = model.tokenizer.tokenId('<image>')!;
      assert.equal(session.contextIds.filter((id) => id === imageId).length, grid.count);
    } finally {
      await session.dispose();
    }
  });
});

describe('IG-VLM through the LLaVA-OneVision fixture', () => {
  let model: VlmModel;
  before(async () => {
    model = await loadModel(llavaOnevisionFixture, { runner: 'in-process' });
  });
  after(async () => {
    await model?.dispose();
  });

  it('writes count <image> placeholders for the anyres image', async () => {
    const run = await runPipeline(yogaClip, { pipeline: 'ig-vlm', encoder: model.encoder() });
    const grid = onlyVisual(run.segments);
    assert.ok(grid.tiles !== undefined, 'the grid went through anyres');
    const session = await model.createSession(run, { videoDuration: run.probe.duration });
    try {
      const imageId = model.tokenizer.tokenId('<image>')!;
      assert.equal(session.contextIds.filter((id) => id === imageId).length, grid.count);
      assert.equal(session.visualRows.length, grid.count * model.info.hidden);
    } finally {
      await session.dispose();
    }
  });
});

/**
 * @file The pipeline matrix: every built-in pipeline on every supported model family's token grid runs from a real
 * clip (decoded by ffmpeg) with exactly the token count it planned (at most it where the plan is an upper bound) and
 * within its budget. Families are read from their published config files (test/fixtures/model-configs) by the
 * product's own code; the encoder has their geometry but no weights (test/helpers/family-shape-encoder.ts). The
 * pixels encoder is the 24x24 reference grid the papers' numbers were tied to.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createPixelsEncoder } from '../../src/encoders/index.js';
import { listBuiltInPipelines } from '../../src/graph/pipeline-registry.js';
import { runPipeline } from '../../src/pipeline/run-pipeline.js';
import { visualTokenCount } from '../../src/core/token-stream.js';
import { familyShapeEncoder } from '../helpers/family-shape-encoder.js';
import { repoRoot, sharedVideo } from '../helpers/paths.js';

const configs = join(repoRoot, 'test', 'fixtures', 'model-configs');
const encoders = [
  { label: 'pixels (24x24)', make: () => createPixelsEncoder() },
  {
    label: 'SmolVLM2-256M (8x8, 512 px, splitting)',
    make: () => familyShapeEncoder(join(configs, 'smolvlm2-256m'), 'smolvlm2-256m-shape'),
  },
  {
    label: 'LLaVA-OneVision-0.5B (14x14 video, 27x27 image, anyres)',
    make: () => familyShapeEncoder(join(configs, 'llava-onevision-0.5b'), 'llava-onevision-shape'),
  },
  {
    label: 'idefics3-style SmolVLM (9x9, 384 px)',
    make: () => familyShapeEncoder(join(configs, 'smolvlm-idefics3'), 'smolvlm-idefics3-shape'),
  },
];

test('the family geometries are read from the config files', () => {
  const smol = familyShapeEncoder(join(configs, 'smolvlm2-256m'), 'x').geometry;
  assert.deepEqual(
    [smol.frameGrid, smol.tileTokens, smol.inputSize.width, smol.imageTiling, smol.maxImageTokens],
    [{ h: 8, w: 8 }, 64, 512, 'split', 17 * 64],
  );
  const llava = familyShapeEncoder(join(configs, 'llava-onevision-0.5b'), 'x').geometry;
  assert.deepEqual(
    [llava.frameGrid, llava.tileTokens, llava.inputSize.width, llava.imageTiling],
    [{ h: 14, w: 14 }, 729, 384, 'anyres'],
  );
  const idefics = familyShapeEncoder(join(configs, 'smolvlm-idefics3'), 'x').geometry;
  assert.deepEqual(
    [idefics.frameGrid, idefics.tileTokens, idefics.inputSize.width, idefics.maxImageTokens],
    [{ h: 9, w: 9 }, 81, 384, 17 * 81],
  );
});

for (const { label, make } of encoders) {
  test(`every built-in pipeline on ${label}: produced = planned, within budget`, async () => {
    const pipelines = await listBuiltInPipelines();
    assert.ok(pipelines.length >= 8, 'all built-in pipelines are listed');
    for (const pipeline of pipelines) {
      const encoder = make();
      const result = await runPipeline(sharedVideo('yoga.mp4'), {
        pipeline,
        encoder,
        question: 'What exercise is shown?',
      });
      const produced = visualTokenCount(result);
      const where = `${pipeline.name} on ${label}`;
      if (result.plan.tokensAreUpperBound)
        assert.ok(produced <= result.plan.tokens && produced > 0, `${where}: ${produced} <= ${result.plan.tokens}`);
      else assert.equal(produced, result.plan.tokens, where);
      assert.ok(
        result.plan.tokens <= result.plan.budget,
        `${where}: plan ${result.plan.tokens} within budget ${result.plan.budget}`,
      );
    }
  });
}

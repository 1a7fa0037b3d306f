/**
 * @file LLaVA-OneVision's anyres with the learned `image_newline`: when the model folder carries image_newline.npy
 * (written by `vidtok models pull`), every packed row of a native-resolution image ends with that vector, as the
 * reference `pack_image_features` does; the plan counts those rows, so an IG-VLM run still produces exactly its plan.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { visualTokenCount } from '../../src/core/token-stream.js';
import { encodeNpy } from '../../src/golden/npy.js';
import { runPipeline } from '../../src/pipeline/run-pipeline.js';
// the model-directory encoder factory is imported lazily by resolveEncoder
import { repoRoot, sharedVideo } from '../helpers/paths.js';
import { cloneFixture, removeClones } from '../runtime/clone-fixture.js';

after(removeClones);

test('an IG-VLM grid through anyres gets one newline token per packed row when the model has image_newline', async () => {
  const fixture = join(repoRoot, 'test', 'fixtures', 'models', 'llava-onevision-tiny');
  const plain = cloneFixture(fixture, 'anyres-plain');
  const withNewline = cloneFixture(fixture, 'anyres-newline');
  const hidden = 16;
  const newline = Float32Array.from({ length: hidden }, (_, d) => 0.5 + d / 100);
  writeFileSync(
    join(withNewline, 'image_newline.npy'),
    encodeNpy({ dtype: 'float32', shape: [hidden], data: newline }),
  );
  const without = await runPipeline(sharedVideo('boat.mp4'), { pipeline: 'ig-vlm', encoder: plain });
  const withRows = await runPipeline(sharedVideo('boat.mp4'), { pipeline: 'ig-vlm', encoder: withNewline });
  assert.equal(visualTokenCount(without), without.plan.tokens);
  assert.equal(visualTokenCount(withRows), withRows.plan.tokens);
  const rows = visualTokenCount(withRows) - visualTokenCount(without);
  assert.ok(rows > 10, `${rows} newline rows`);
  // The packed grid (after the 729 base tokens) is rows x (columns + 1): every (columns+1)-th token is the newline.
  const segment = withRows.segments[0]!;
  assert.ok(segment.type === 'visual');
  const packed = segment.count - 729;
  const rowLength = packed / rows;
  assert.ok(Number.isInteger(rowLength), `packed ${packed} tokens are ${rows} rows`);
  for (let row = 0; row < rows; row++) {
    const at = (729 + row * rowLength + rowLength - 1) * hidden;
    assert.deepEqual(
      Array.from(segment.tokens.subarray(at, at + hidden)),
      Array.from(newline),
      `row ${row} ends with the newline`,
    );
  }
});

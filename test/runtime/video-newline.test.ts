/**
 * @file LLaVA-OneVision's learned video newline in the prompt: with image_newline.npy in the model folder the video
 * gets `frames·196 + 1` placeholders, the extra row is the stored vector written right after the last video segment
 * (before trailing text), `info.extraVisualTokens` says 1, and the stream itself keeps `frames·196`; without the file
 * the count is `frames·196`; a vector of the wrong size is ModelLoadError at load.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ModelLoadError } from '../../src/errors/index.js';
import { encodeNpy } from '../../src/golden/npy.js';
import { loadModel } from '../../src/runtime/index.js';
import { cloneFixture, removeClones } from './clone-fixture.js';
import { llavaOnevisionFixture, streamFromGrid, syntheticFrames } from './fixture-models.js';

const hidden = 16;

describe('LLaVA-OneVision video newline (image_newline)', () => {
  after(removeClones);

  const newline = Float32Array.from({ length: hidden }, (_, index) => 0.25 * (index - 8));

  it('appends one newline after the video: frames·196 + 1 placeholders, the vector as the extra row', async () => {
    const directory = cloneFixture(llavaOnevisionFixture, 'newline');
    writeFileSync(
      join(directory, 'image_newline.npy'),
      encodeNpy({ dtype: 'float32', shape: [hidden], data: newline }),
    );
    const model = await loadModel(directory, { runner: 'in-process' });
    try {
      assert.equal(model.info.extraVisualTokens, 1);
      const frames = 3;
      const grid = await model.encoder().encodeFrames(syntheticFrames(frames));
      const stream = streamFromGrid(grid, ' and then?');
      const streamTokens = stream.segments.reduce(
        (total, segment) => total + (segment.type === 'visual' ? segment.count : 0),
        0,
      );
      assert.equal(streamTokens, frames * 196, 'the token stream itself stays frames·196');
      const session = await model.createSession(stream);
      const videoId = model.tokenizer.tokenId('<video>')!;
      const positions = [...session.contextIds].flatMap((id, index) => (id === videoId ? [index] : []));
      assert.equal(positions.length, frames * 196 + 1);
      assert.equal(
        positions.at(-1)! - positions[0]!,
        positions.length - 1,
        'the newline placeholder follows the video placeholders directly',
      );
      const tail = model.tokenizer.decode([...session.contextIds.subarray(positions.at(-1)! + 1)]);
      assert.match(tail, /and then\?$/, 'trailing text comes after the newline');
      assert.equal(session.visualRows.length, (frames * 196 + 1) * hidden);
      assert.deepEqual([...session.visualRows.subarray(frames * 196 * hidden)], [...newline]);
      assert.deepEqual([...session.visualRows.subarray(0, hidden)], [...grid.data.subarray(0, hidden)]);
      const answer = await session.ask('What happens?', { maxNewTokens: 4 }).result();
      assert.equal(answer.tokenIds.length, 4);
      await session.dispose();
    } finally {
      await model.dispose();
    }
  });

  it('without image_newline.npy the video has frames·196 placeholders', async () => {
    const model = await loadModel(llavaOnevisionFixture, { runner: 'in-process' });
    try {
      assert.equal(model.info.extraVisualTokens, 0);
      const grid = await model.encoder().encodeFrames(syntheticFrames(2));
      const session = await model.createSession(streamFromGrid(grid));
      const videoId = model.tokenizer.tokenId('<video>')!;
      assert.equal([...session.contextIds].filter((id) => id === videoId).length, 2 * 196);
      await session.dispose();
    } finally {
      await model.dispose();
    }
  });

  it('a stored vector of the wrong size is ModelLoadError naming the file', async () => {
    const directory = cloneFixture(llavaOnevisionFixture, 'newline-size');
    writeFileSync(
      join(directory, 'image_newline.npy'),
      encodeNpy({ dtype: 'float32', shape: [hidden * 2], data: new Float32Array(hidden * 2) }),
    );
    await assert.rejects(
      loadModel(directory, { runner: 'in-process' }),
      (error) =>
        error instanceof ModelLoadError &&
        error.message.includes('image_newline.npy') &&
        error.message.includes(`[${hidden}]`),
    );
  });
});

/**
 * @file The model a narration opens: dtypes follow what a plain directory holds (as for `ask`, through chooseDtypes),
 * so `graph=dtype` pairs on an export without fp32 graphs load the files that are there; and the frames a scene
 * shows per second of the scene (each one a vision encode) follow `sceneFramesPerSecond`.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { UsageError } from '../../src/errors/index.js';
import { narrateStream, openNarrationModel, resolveNarrateOptions } from '../../src/narration/index.js';
import { shownFrames } from '../../src/narration/narrate-stream.js';
import { scratchDir } from '../helpers/paths.js';
import { fixtureModel, sceneClip } from './narration-helpers.js';

/** A copy of the fixture's JSON files with only `graphs` of its ONNX files (linked). */
function partialExport(directory: string, graphs: readonly string[]): string {
  mkdirSync(join(directory, 'onnx'), { recursive: true });
  for (const file of readdirSync(fixtureModel))
    if (file.endsWith('.json')) copyFileSync(join(fixtureModel, file), join(directory, file));
  for (const file of graphs) symlinkSync(join(fixtureModel, 'onnx', file), join(directory, 'onnx', file));
  return directory;
}

test('openNarrationModel: graph=dtype pairs on a plain directory keep what the directory holds for the other graphs', async () => {
  const directory = partialExport(join(scratchDir('open-narration-model'), 'no-fp32-embed-or-vision'), [
    'embed_tokens_fp16.onnx',
    'vision_encoder_q4.onnx',
    'decoder_model_merged.onnx',
    'decoder_model_merged_q4.onnx',
  ]);
  // Before: the graphs not named fell back to fp32 (embed_tokens.onnx, vision_encoder.onnx: not in this directory).
  const model = await openNarrationModel(directory, { dtype: 'decoder_model_merged=q4' });
  try {
    assert.deepEqual(model.info.dtypes, { embed_tokens: 'fp16', vision_encoder: 'q4', decoder_model_merged: 'q4' });
  } finally {
    await model.dispose();
  }
  const chosen = await openNarrationModel(directory, {});
  try {
    // Without --dtype: fp32 where present (the decoder), else what is there.
    assert.deepEqual(chosen.info.dtypes, { embed_tokens: 'fp16', vision_encoder: 'q4', decoder_model_merged: 'fp32' });
  } finally {
    await chosen.dispose();
  }
});

test('sceneFramesPerSecond: frames shown grow with the scene, at least one, never past sceneFrames', async () => {
  assert.equal(shownFrames(0.4, 0.5), 1);
  assert.equal(shownFrames(4, 0.5), 2);
  assert.equal(shownFrames(30, 0.5), 15);
  assert.equal(shownFrames(2, Number.POSITIVE_INFINITY), Number.POSITIVE_INFINITY);
  assert.equal(
    resolveNarrateOptions({ sceneFramesPerSecond: Number.POSITIVE_INFINITY }).sceneFramesPerSecond,
    Infinity,
  );
  assert.throws(() => resolveNarrateOptions({ sceneFramesPerSecond: 0 }), UsageError);
  const clip = await sceneClip(scratchDir('scene-frames-per-second'));
  const framesPerScene = async (sceneFramesPerSecond: number): Promise<number[]> => {
    const frames: number[] = [];
    for await (const event of narrateStream(clip.path, { model: fixtureModel, maxNewTokens: 2, sceneFramesPerSecond }))
      if (event.type === 'narration-end') frames.push(event.frames);
    return frames;
  };
  // The scenes clip: 0–2 s, 2–3.6 s, 3.6–5.6 s at 2 fps (4 frames held each).
  assert.deepEqual(await framesPerScene(0.5), [1, 1, 1]);
  assert.deepEqual(await framesPerScene(1), [2, 2, 2]);
  assert.deepEqual(await framesPerScene(Number.POSITIVE_INFINITY), [4, 4, 4]);
});

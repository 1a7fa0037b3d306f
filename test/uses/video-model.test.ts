/**
 * @file Model selection for the use cases: dtypes follow what a directory holds (alias defaults first, then fp32,
 * then what is there), `--dtype` wins, and the job-key identity of a directory is its name plus a hash of its
 * config.json (the same export copied elsewhere keeps its identity; a different config does not).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { chooseDtypes, modelIdentity, openVideoModel } from '../../src/uses/index.js';
import { scratchDir } from '../helpers/paths.js';
import { smolvlm2Fixture } from './use-fixtures.js';

const smolvlm2GqaFixture = join(smolvlm2Fixture, '..', 'smolvlm2-tiny-gqa');

function fakeExport(directory: string, files: readonly string[]): string {
  mkdirSync(join(directory, 'onnx'), { recursive: true });
  writeFileSync(join(directory, 'config.json'), '{}');
  for (const file of files) writeFileSync(join(directory, 'onnx', file), '');
  return directory;
}

test('dtypes: what the directory holds, alias defaults preferred, --dtype wins', async () => {
  const scratch = scratchDir('video-model');
  const quantized = fakeExport(join(scratch, 'quantized'), [
    'embed_tokens_fp16.onnx',
    'vision_encoder_q4.onnx',
    'decoder_model_merged_q4.onnx',
    'decoder_model_merged_q4.onnx_data',
  ]);
  assert.deepEqual(await chooseDtypes(quantized, undefined, quantized), {
    embed_tokens: 'fp16',
    vision_encoder: 'q4',
    decoder_model_merged: 'q4',
  });
  const mixed = fakeExport(join(scratch, 'mixed'), [
    'embed_tokens.onnx',
    'embed_tokens_fp16.onnx',
    'vision_encoder_q4.onnx',
    'vision_encoder.onnx',
    'decoder_model_merged_quantized.onnx',
  ]);
  assert.deepEqual(await chooseDtypes(mixed, undefined, mixed), {
    embed_tokens: 'fp32',
    vision_encoder: 'fp32',
    decoder_model_merged: 'q8',
  });
  // The smolvlm2-256m alias prefers fp16 / q4 / q4 when those files are present.
  assert.deepEqual(await chooseDtypes('smolvlm2-256m', undefined, mixed), {
    embed_tokens: 'fp16',
    vision_encoder: 'q4',
    decoder_model_merged: 'q8',
  });
  assert.deepEqual(await chooseDtypes('smolvlm2-256m', undefined), {
    embed_tokens: 'fp16',
    vision_encoder: 'q4',
    decoder_model_merged: 'q4',
  });
  assert.deepEqual(await chooseDtypes(mixed, 'fp16', mixed), {
    embed_tokens: 'fp16',
    vision_encoder: 'fp16',
    decoder_model_merged: 'fp16',
  });
});

test('dtypes: graph=dtype pairs leave the other graphs at what the directory holds, and such an export loads', async () => {
  const scratch = scratchDir('video-model-pairs');
  // An export without fp32 embed or vision (as the newer onnx-community ones): only the decoder has an fp32 file.
  const noFloatEmbed = fakeExport(join(scratch, 'no-fp32-embed'), [
    'embed_tokens_q4.onnx',
    'vision_encoder_quantized.onnx',
    'decoder_model_merged.onnx',
    'decoder_model_merged_q4f16.onnx',
  ]);
  assert.deepEqual(await chooseDtypes(noFloatEmbed, 'decoder_model_merged=q4f16', noFloatEmbed), {
    embed_tokens: 'q4',
    vision_encoder: 'q8',
    decoder_model_merged: 'q4f16',
  });
  assert.deepEqual(await chooseDtypes(noFloatEmbed, 'embed_tokens=q4,decoder_model_merged=fp32', noFloatEmbed), {
    embed_tokens: 'q4',
    vision_encoder: 'q8',
    decoder_model_merged: 'fp32',
  });
  // The alias's preferences still come first for the graphs not named.
  const mixed = fakeExport(join(scratch, 'mixed'), [
    'embed_tokens.onnx',
    'embed_tokens_fp16.onnx',
    'vision_encoder_q4.onnx',
    'vision_encoder.onnx',
    'decoder_model_merged_quantized.onnx',
    'decoder_model_merged_q4f16.onnx',
  ]);
  assert.deepEqual(await chooseDtypes('smolvlm2-256m', 'decoder_model_merged=q4f16', mixed), {
    embed_tokens: 'fp16',
    vision_encoder: 'q4',
    decoder_model_merged: 'q4f16',
  });
  // One dtype still sets every graph, present or not (the load then names the missing file).
  assert.deepEqual(await chooseDtypes(noFloatEmbed, 'q4f16', noFloatEmbed), {
    embed_tokens: 'q4f16',
    vision_encoder: 'q4f16',
    decoder_model_merged: 'q4f16',
  });
  // The GQA-style fixture has exactly that layout; it opens with the decoder pinned to q4f16.
  const opened = await openVideoModel(smolvlm2GqaFixture, {
    dtype: 'decoder_model_merged=q4f16',
    runner: 'in-process',
  });
  try {
    // The q4f16 decoder keeps its KV cache in float16 (the fp32 one in float32).
    assert.equal(
      opened.model.graphs.decoder.inputs.find((port) => port.name === 'past_key_values.0.key')?.type,
      'float16',
    );
    assert.match(opened.identity, /embed_tokens=q4,vision_encoder=q8,decoder_model_merged=q4f16$/);
  } finally {
    await opened.model.dispose();
  }
});

test('model identity: alias by name, directory by name and config hash', async () => {
  const scratch = scratchDir('video-model-identity');
  assert.equal(
    await modelIdentity('smolvlm2-256m', undefined, undefined),
    'HuggingFaceTB/SmolVLM2-256M-Video-Instruct:embed_tokens=fp16,vision_encoder=q4,decoder_model_merged=q4',
  );
  const copy = join(scratch, 'a', 'smolvlm2-tiny');
  cpSync(smolvlm2Fixture, copy, { recursive: true });
  const original = await modelIdentity(smolvlm2Fixture, undefined, undefined);
  assert.match(original, /^dir:smolvlm2-tiny#[0-9a-f]{16}:fp32$/);
  assert.equal(await modelIdentity(copy, undefined, undefined), original, 'a copy keeps its identity');
  const config = JSON.parse(readFileSync(join(copy, 'config.json'), 'utf8'));
  writeFileSync(join(copy, 'config.json'), JSON.stringify({ ...config, vocab_size: 1 }));
  assert.notEqual(await modelIdentity(copy, undefined, undefined), original, 'another config is another model');
});

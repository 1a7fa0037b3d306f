/**
 * @file Model selection for the use cases: dtypes follow what a directory holds (alias defaults first, then fp32,
 * then what is there), `--dtype` wins, and the job-key identity of a directory is its name plus a hash of its
 * config.json (the same export copied elsewhere keeps its identity; a different config does not).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { chooseDtypes, modelIdentity } from '../../src/uses/index.js';
import { scratchDir } from '../helpers/paths.js';
import { smolvlm2Fixture } from './use-fixtures.js';

function fakeExport(directory: string, files: readonly string[]): string {
  mkdirSync(join(directory, 'onnx'), { recursive: true });
  writeFileSync(join(directory, 'config.json'), '{}');
  for (const file of files) writeFileSync(join(directory, 'onnx', file), '');
  return directory;
}

test('dtypes: what the directory holds, alias defaults preferred, --dtype wins', async () => {
  const scratch = scratchDir('video-model');
  const quantized = fakeExport(join(scratch, 'quantized'), ['embed_tokens_fp16.onnx', 'vision_encoder_q4.onnx', 'decoder_model_merged_q4.onnx', 'decoder_model_merged_q4.onnx_data']);
  assert.deepEqual(await chooseDtypes(quantized, undefined, quantized), { embed_tokens: 'fp16', vision_encoder: 'q4', decoder_model_merged: 'q4' });
  const mixed = fakeExport(join(scratch, 'mixed'), ['embed_tokens.onnx', 'embed_tokens_fp16.onnx', 'vision_encoder_q4.onnx', 'vision_encoder.onnx', 'decoder_model_merged_quantized.onnx']);
  assert.deepEqual(await chooseDtypes(mixed, undefined, mixed), { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'q8' });
  // The smolvlm2-256m alias prefers fp16 / q4 / q4 when those files are present.
  assert.deepEqual(await chooseDtypes('smolvlm2-256m', undefined, mixed), { embed_tokens: 'fp16', vision_encoder: 'q4', decoder_model_merged: 'q8' });
  assert.deepEqual(await chooseDtypes('smolvlm2-256m', undefined), { embed_tokens: 'fp16', vision_encoder: 'q4', decoder_model_merged: 'q4' });
  assert.deepEqual(await chooseDtypes(mixed, 'fp16', mixed), { embed_tokens: 'fp16', vision_encoder: 'fp16', decoder_model_merged: 'fp16' });
});

test('model identity: alias by name, directory by name and config hash', async () => {
  const scratch = scratchDir('video-model-identity');
  assert.equal(await modelIdentity('smolvlm2-256m', undefined, undefined), 'HuggingFaceTB/SmolVLM2-256M-Video-Instruct:embed_tokens=fp16,vision_encoder=q4,decoder_model_merged=q4');
  const copy = join(scratch, 'a', 'smolvlm2-tiny');
  cpSync(smolvlm2Fixture, copy, { recursive: true });
  const original = await modelIdentity(smolvlm2Fixture, undefined, undefined);
  assert.match(original, /^dir:smolvlm2-tiny#[0-9a-f]{16}:fp32$/);
  assert.equal(await modelIdentity(copy, undefined, undefined), original, 'a copy keeps its identity');
  const config = JSON.parse(readFileSync(join(copy, 'config.json'), 'utf8'));
  writeFileSync(join(copy, 'config.json'), JSON.stringify({ ...config, vocab_size: 1 }));
  assert.notEqual(await modelIdentity(copy, undefined, undefined), original, 'another config is another model');
});

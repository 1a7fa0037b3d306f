/**
 * @file Pure checks of what names a model: the dtype table (against transformers.js's suffix mapping as the spec
 * quotes it), `--dtype` parsing, repository ids, revisions, hub endpoints and untrusted file paths.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DownloadError, UsageError } from '../../src/errors/index.js';
import {
  classifyGraphFile,
  dtypeFileSuffix,
  findModelAlias,
  formatDtypes,
  isRepositoryId,
  isSafeRelativePath,
  parseDtypeOption,
  resolveFileUrl,
  resolveHubConnection,
  validateRevision,
} from '../../src/hub/index.js';
import { resolveInside } from '../../src/hub/safe-relative-path.js';

describe('dtypes', () => {
  it('maps dtypes to the file suffixes of the exports (shared/spec/onnx-vlm.md §5)', () => {
    assert.deepEqual(dtypeFileSuffix, {
      fp32: '',
      fp16: '_fp16',
      q4: '_q4',
      q4f16: '_q4f16',
      int8: '_int8',
      uint8: '_uint8',
      q8: '_quantized',
      bnb4: '_bnb4',
    });
  });

  it('parses a bare dtype, graph=dtype pairs over the defaults, and rejects the rest with UsageError', () => {
    const defaults = { embed_tokens: 'fp16', vision_encoder: 'q4', decoder_model_merged: 'q4' } as const;
    assert.deepEqual(parseDtypeOption('q8', defaults), {
      embed_tokens: 'q8',
      vision_encoder: 'q8',
      decoder_model_merged: 'q8',
    });
    assert.deepEqual(parseDtypeOption('decoder_model_merged=fp32', defaults), {
      ...defaults,
      decoder_model_merged: 'fp32',
    });
    assert.deepEqual(parseDtypeOption(' embed_tokens = fp32 , vision_encoder=q4f16 ', defaults), {
      embed_tokens: 'fp32',
      vision_encoder: 'q4f16',
      decoder_model_merged: 'q4',
    });
    for (const bad of [
      '',
      'q5',
      'fp16,q4',
      'lm_head=q4',
      'embed_tokens=q5',
      'embed_tokens=q4=q4',
      'embed_tokens=q4,embed_tokens=fp16',
    ]) {
      assert.throws(() => parseDtypeOption(bad, defaults), UsageError, bad);
    }
    assert.equal(formatDtypes(defaults), 'embed_tokens=fp16,vision_encoder=q4,decoder_model_merged=q4');
    assert.equal(formatDtypes({ embed_tokens: 'q4', vision_encoder: 'q4', decoder_model_merged: 'q4' }), 'q4');
  });

  it('classifies graph files without confusing q4 with q4f16 or _data companions with graphs', () => {
    assert.deepEqual(classifyGraphFile('onnx/vision_encoder_q4f16.onnx'), {
      graph: 'vision_encoder',
      dtype: 'q4f16',
      externalData: false,
    });
    assert.deepEqual(classifyGraphFile('onnx/vision_encoder_q4.onnx'), {
      graph: 'vision_encoder',
      dtype: 'q4',
      externalData: false,
    });
    assert.deepEqual(classifyGraphFile('onnx/decoder_model_merged.onnx'), {
      graph: 'decoder_model_merged',
      dtype: 'fp32',
      externalData: false,
    });
    assert.deepEqual(classifyGraphFile('onnx/embed_tokens_quantized.onnx_data_1'), {
      graph: 'embed_tokens',
      dtype: 'q8',
      externalData: true,
    });
    assert.equal(classifyGraphFile('onnx/decoder_model.onnx'), undefined);
    assert.equal(classifyGraphFile('onnx/vision_encoder_q5.onnx'), undefined);
    assert.equal(classifyGraphFile('vision_encoder_q4.onnx'), undefined);
  });

  it('knows the aliases the issue names, with the demo recipe for SmolVLM2', () => {
    assert.equal(findModelAlias('smolvlm2-256m')?.repositoryId, 'HuggingFaceTB/SmolVLM2-256M-Video-Instruct');
    assert.equal(findModelAlias('smolvlm2-500m')?.repositoryId, 'HuggingFaceTB/SmolVLM2-500M-Video-Instruct');
    assert.equal(findModelAlias('llava-onevision-0.5b')?.repositoryId, 'llava-hf/llava-onevision-qwen2-0.5b-ov-hf');
    assert.deepEqual(findModelAlias('smolvlm2-256m')?.defaultDtypes, {
      embed_tokens: 'fp16',
      vision_encoder: 'q4',
      decoder_model_merged: 'q4',
    });
  });
});

describe('names from users and servers', () => {
  it('accepts owner/name repository ids and rejects traversal, extra segments and odd characters', () => {
    for (const good of [
      'HuggingFaceTB/SmolVLM2-256M-Video-Instruct',
      'llava-hf/llava-onevision-qwen2-0.5b-ov-hf',
      'a/b',
      'user_1/model.v2',
    ]) {
      assert.equal(isRepositoryId(good), true, good);
    }
    for (const bad of [
      '',
      'name',
      'a/b/c',
      '../b',
      'a/..',
      'a/.b',
      'a/b.',
      'a/b--c',
      'a/b c',
      'a\\b',
      '/a/b',
      'a/b/',
      'a/b?x=1',
      'a/%2e%2e',
    ]) {
      assert.equal(isRepositoryId(bad), false, bad);
    }
  });

  it('accepts branches, tags, commits and refs/pr/N as revisions, and nothing that could become a path', () => {
    for (const good of ['main', 'v1.0', 'a'.repeat(40), 'refs/pr/12', 'release_2024-01'])
      assert.equal(validateRevision(good), good);
    for (const bad of [
      '',
      '..',
      '../main',
      'main/../x',
      'refs/pr/x',
      'a b',
      '/main',
      'main/',
      'x.lock',
      'refs/heads/main',
      '-rf',
    ]) {
      assert.throws(() => validateRevision(bad), UsageError, bad);
    }
  });

  it('rejects absolute, backslashed, dotted and empty-segment paths from a listing', () => {
    for (const good of ['config.json', 'onnx/vision_encoder_q4.onnx', 'a/b/c.txt', '..hidden', 'x..y'])
      assert.equal(isSafeRelativePath(good), true, good);
    for (const bad of [
      '',
      '/etc/passwd',
      '../x',
      'onnx/../../x',
      'onnx/./x',
      'a//b',
      'a\\b',
      'C:/x',
      'c:x',
      'a/\u0000b',
      'a/',
    ]) {
      assert.equal(isSafeRelativePath(bad), false, JSON.stringify(bad));
      assert.throws(() => resolveInside('/tmp/root', bad, 'listing'), DownloadError);
    }
    assert.equal(resolveInside('/tmp/root', 'onnx/x.onnx', 'listing'), '/tmp/root/onnx/x.onnx');
  });

  it('resolves the endpoint and token from options, then HF_ENDPOINT and HF_TOKEN', () => {
    assert.equal(resolveHubConnection({ environment: {} }).endpoint, 'https://huggingface.co');
    assert.equal(
      resolveHubConnection({ environment: { HF_ENDPOINT: 'https://mirror.example/hf/' } }).endpoint,
      'https://mirror.example/hf',
    );
    assert.equal(
      resolveHubConnection({ endpoint: 'http://127.0.0.1:9', environment: { HF_ENDPOINT: 'https://x.example' } })
        .endpoint,
      'http://127.0.0.1:9',
    );
    assert.equal(resolveHubConnection({ environment: { HF_TOKEN: 'hf_abc' } }).token, 'hf_abc');
    assert.equal(resolveHubConnection({ environment: {} }).token, undefined);
    for (const bad of ['ftp://x', 'not a url', 'https://user:pw@x.example', 'https://x.example/?a=1']) {
      assert.throws(() => resolveHubConnection({ environment: { HF_ENDPOINT: bad } }), UsageError, bad);
    }
    assert.throws(() => resolveHubConnection({ environment: { HF_TOKEN: 'hf abc' } }), UsageError);
    assert.equal(
      resolveFileUrl('https://huggingface.co', 'a/b', 'refs/pr/1', 'onnx/x y.onnx'),
      'https://huggingface.co/a/b/resolve/refs%2Fpr%2F1/onnx/x%20y.onnx',
    );
  });
});

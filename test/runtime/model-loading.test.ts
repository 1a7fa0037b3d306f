/**
 * @file Bad model input → typed errors with one-line messages naming the file or the numbers, never a crash:
 * missing directory or graph, unknown dtype, corrupt or truncated ONNX, an operator onnxruntime rejects (loaded in
 * the child runner), external data outside the directory, a config that disagrees with its graphs, a prompt over the
 * context window, a stream of the wrong token dim. Also: dtype suffixes select files, eos comes from the config.
 */
import assert from 'node:assert/strict';
import { readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  ContextOverflowError,
  InputRejectedError,
  ModelLoadError,
  ModelNotFoundError,
  VidtokError,
} from '../../src/errors/index.js';
import { loadModel, locateModelFiles } from '../../src/runtime/index.js';
import { cloneFixture, field, message, onnxModel, removeClones } from './clone-fixture.js';
import { smolvlm2Fixture, streamFromGrid, syntheticFrames } from './fixture-models.js';

function assertOneLine(error: unknown, ...mentions: string[]): true {
  assert.ok(VidtokError.isInstance(error));
  assert.ok(!error.message.includes('\n'), `one line: ${error.message}`);
  for (const mention of mentions)
    assert.ok(error.message.includes(mention), `'${error.message}' should name ${mention}`);
  return true;
}

/** Leaves only the fp32 and fp16 decoders in a clone (the fixture also ships q4, q4f16, q8, int8 and uint8 ones). */
function removeQuantizedDecoders(directory: string): void {
  for (const suffix of ['_q4', '_q4f16', '_quantized', '_int8', '_uint8'])
    unlinkSync(join(directory, 'onnx', `decoder_model_merged${suffix}.onnx`));
}

describe('loading bad model directories', () => {
  after(removeClones);

  it('a missing directory is ModelNotFoundError naming it', async () => {
    await assert.rejects(
      loadModel('/nonexistent/vidtok-model'),
      (error) => error instanceof ModelNotFoundError && assertOneLine(error, '/nonexistent/vidtok-model'),
    );
  });

  it('a directory without config.json is ModelNotFoundError', () => {
    const directory = cloneFixture(smolvlm2Fixture, 'no-config');
    unlinkSync(join(directory, 'config.json'));
    assert.throws(
      () => locateModelFiles(directory),
      (error) => error instanceof ModelNotFoundError && assertOneLine(error, 'config.json'),
    );
  });

  it('a missing graph is ModelLoadError naming the file', () => {
    const directory = cloneFixture(smolvlm2Fixture, 'no-graph');
    removeQuantizedDecoders(directory);
    unlinkSync(join(directory, 'onnx', 'decoder_model_merged.onnx'));
    assert.throws(
      () => locateModelFiles(directory, { dtype: 'fp32' }),
      (error) => error instanceof ModelLoadError && assertOneLine(error, join('onnx', 'decoder_model_merged.onnx')),
    );
    assert.equal(
      locateModelFiles(directory).dtypes.decoder_model_merged,
      'fp16',
      'automatic choice falls back to the variant present',
    );
    unlinkSync(join(directory, 'onnx', 'decoder_model_merged_fp16.onnx'));
    assert.throws(
      () => locateModelFiles(directory),
      (error) => error instanceof ModelLoadError && assertOneLine(error, join('onnx', 'decoder_model_merged.onnx')),
    );
  });

  it('dtypes select suffixed files; unknown dtypes and absent variants are ModelLoadError', () => {
    const directory = cloneFixture(smolvlm2Fixture, 'dtypes');
    writeFileSync(
      join(directory, 'onnx', 'embed_tokens_quantized.onnx'),
      readFileSync(join(smolvlm2Fixture, 'onnx', 'embed_tokens.onnx')),
    );
    const files = locateModelFiles(directory, { dtype: { embed_tokens: 'q8' } });
    assert.ok(files.graphs.embed_tokens!.endsWith(join('onnx', 'embed_tokens_quantized.onnx')));
    assert.ok(files.graphs.decoder_model_merged!.endsWith(join('onnx', 'decoder_model_merged.onnx')));
    assert.deepEqual(files.dtypes, { embed_tokens: 'q8', vision_encoder: 'fp32', decoder_model_merged: 'fp32' });
    assert.throws(
      () => locateModelFiles(directory, { dtype: 'fp8' }),
      (error) => error instanceof ModelLoadError && assertOneLine(error, "'fp8'"),
    );
    assert.throws(
      () => locateModelFiles(directory, { dtype: { decoder: 'fp16' } as never }),
      (error) => error instanceof ModelLoadError && assertOneLine(error, "'decoder'"),
    );
    assert.throws(
      () => locateModelFiles(directory, { dtype: 'q4f16' }),
      (error) => error instanceof ModelLoadError && assertOneLine(error, 'embed_tokens_q4f16.onnx'),
    );
  });

  it('without a dtype choice, each graph uses config transformers.js_config.dtype or the variant that is present', () => {
    const directory = cloneFixture(smolvlm2Fixture, 'auto-dtype');
    removeQuantizedDecoders(directory);
    unlinkSync(join(directory, 'onnx', 'decoder_model_merged.onnx'));
    unlinkSync(join(directory, 'onnx', 'decoder_model_merged_fp16.onnx'));
    symlinkSync(
      join(smolvlm2Fixture, 'onnx', 'decoder_model_merged.onnx'),
      join(directory, 'onnx', 'decoder_model_merged_q4.onnx'),
    );
    assert.deepEqual(locateModelFiles(directory).dtypes, {
      embed_tokens: 'fp32',
      vision_encoder: 'fp32',
      decoder_model_merged: 'q4',
    });
    const config = JSON.parse(readFileSync(join(directory, 'config.json'), 'utf8'));
    config['transformers.js_config'] = { dtype: { embed_tokens: 'fp16' } };
    writeFileSync(join(directory, 'config.json'), JSON.stringify(config));
    assert.deepEqual(locateModelFiles(directory).dtypes, {
      embed_tokens: 'fp16',
      vision_encoder: 'fp32',
      decoder_model_merged: 'q4',
    });
    assert.equal(locateModelFiles(directory, { dtype: { embed_tokens: 'fp32' } }).dtypes.embed_tokens, 'fp32');
  });

  it('random bytes and a truncated graph are ModelLoadError naming the file', () => {
    const directory = cloneFixture(smolvlm2Fixture, 'corrupt');
    const decoder = join(directory, 'onnx', 'decoder_model_merged.onnx');
    unlinkSync(decoder);
    let seed = 12345;
    writeFileSync(
      decoder,
      Uint8Array.from({ length: 4096 }, () => (seed = (seed * 1103515245 + 12345) % 2147483648) % 256),
    );
    assert.throws(
      () => locateModelFiles(directory),
      (error) => error instanceof ModelLoadError && assertOneLine(error, decoder),
    );
    const original = readFileSync(join(smolvlm2Fixture, 'onnx', 'decoder_model_merged.onnx'));
    writeFileSync(decoder, original.subarray(0, Math.floor(original.length / 2)));
    assert.throws(
      () => locateModelFiles(directory),
      (error) => error instanceof ModelLoadError && assertOneLine(error, decoder),
    );
    writeFileSync(decoder, new Uint8Array(0));
    assert.throws(
      () => locateModelFiles(directory),
      (error) => error instanceof ModelLoadError && assertOneLine(error, decoder),
    );
  });

  it('external data outside the model directory is refused before loading', () => {
    const directory = cloneFixture(smolvlm2Fixture, 'external');
    const embed = join(directory, 'onnx', 'embed_tokens.onnx');
    unlinkSync(embed);
    const tensor = message(
      field(1, 4),
      field(2, 1),
      field(8, 'weight'),
      field(13, message(field(1, 'location'), field(2, '../../../outside.bin'))),
      field(14, 1),
    );
    writeFileSync(embed, onnxModel(message(field(2, 'g'), field(5, tensor))));
    assert.throws(
      () => locateModelFiles(directory),
      (error) => error instanceof ModelLoadError && assertOneLine(error, 'outside', '../../../outside.bin'),
    );
  });

  it('a graph onnxruntime rejects fails the load in the child runner with ModelLoadError, and the parent lives on', async () => {
    const directory = cloneFixture(smolvlm2Fixture, 'bad-op');
    const embed = join(directory, 'onnx', 'embed_tokens.onnx');
    unlinkSync(embed);
    const node = message(field(1, 'x'), field(2, 'y'), field(4, 'NoSuchOperator'));
    writeFileSync(embed, onnxModel(message(field(1, node), field(2, 'g'))));
    await assert.rejects(
      loadModel(directory, { runner: 'child' }),
      (error) => error instanceof ModelLoadError && assertOneLine(error, embed),
    );
  });

  it('a decoder input the runtime cannot feed is refused at load, naming it', async () => {
    const directory = cloneFixture(smolvlm2Fixture, 'unknown-input');
    const decoder = join(directory, 'onnx', 'decoder_model_merged.onnx');
    unlinkSync(decoder);
    // ValueInfoProto { name, type { tensor_type { elem_type, shape { dim { dim_value | dim_param } } } } }.
    const dim = (value: number | string) =>
      field(1, typeof value === 'number' ? message(field(1, value)) : message(field(2, value)));
    const port = (name: string, elementType: number, dims: readonly (number | string)[]) =>
      field(
        11,
        message(
          field(1, name),
          field(2, message(field(1, message(field(1, elementType), field(2, message(...dims.map(dim))))))),
        ),
      );
    const output = (name: string, elementType: number, dims: readonly (number | string)[]) =>
      field(
        12,
        message(
          field(1, name),
          field(2, message(field(1, message(field(1, elementType), field(2, message(...dims.map(dim))))))),
        ),
      );
    const identity = (from: string, to: string) =>
      field(1, message(field(1, from), field(2, to), field(3, `copy_${to}`), field(4, 'Identity')));
    const graph = message(
      identity('inputs_embeds', 'logits'),
      identity('past_key_values.0.key', 'present.0.key'),
      identity('past_key_values.0.value', 'present.0.value'),
      field(2, 'g'),
      port('inputs_embeds', 1, ['batch', 'sequence', 32]),
      port('attention_mask', 7, ['batch', 'total']),
      port('token_type_ids', 7, ['batch', 'sequence']),
      port('past_key_values.0.key', 1, ['batch', 2, 'past', 8]),
      port('past_key_values.0.value', 1, ['batch', 2, 'past', 8]),
      output('logits', 1, ['batch', 'sequence', 32]),
      output('present.0.key', 1, ['batch', 2, 'past', 8]),
      output('present.0.value', 1, ['batch', 2, 'past', 8]),
    );
    writeFileSync(decoder, onnxModel(graph));
    await assert.rejects(
      loadModel(directory, { runner: 'in-process', dtype: 'fp32' }),
      (error) => error instanceof ModelLoadError && assertOneLine(error, "'token_type_ids'", 'cannot be fed'),
    );
  });

  it('a config whose hidden size disagrees with the graphs is ModelLoadError naming both numbers', async () => {
    const directory = cloneFixture(smolvlm2Fixture, 'hidden');
    const config = JSON.parse(readFileSync(join(directory, 'config.json'), 'utf8'));
    config.text_config.hidden_size = 48;
    writeFileSync(join(directory, 'config.json'), JSON.stringify(config));
    await assert.rejects(
      loadModel(directory, { runner: 'in-process' }),
      (error) => error instanceof ModelLoadError && assertOneLine(error, 'config.json', '48', '32'),
    );
  });

  it('a prompt over the context window is ContextOverflowError with both numbers', async () => {
    const directory = cloneFixture(smolvlm2Fixture, 'window');
    const config = JSON.parse(readFileSync(join(directory, 'config.json'), 'utf8'));
    config.text_config.max_position_embeddings = 150;
    writeFileSync(join(directory, 'config.json'), JSON.stringify(config));
    const model = await loadModel(directory, { runner: 'in-process' });
    try {
      assert.equal(model.info.contextWindow, 150);
      const grid = await model.encoder().encodeFrames(syntheticFrames(3));
      await assert.rejects(model.createSession(streamFromGrid(grid)), (error) => {
        assert.ok(error instanceof ContextOverflowError);
        assert.ok(error.needed > 3 * 64);
        assert.equal(error.allowed, 150);
        return assertOneLine(error, String(error.needed), '150');
      });
      const single = await model.encoder().encodeFrames(syntheticFrames(1));
      const session = await model.createSession(streamFromGrid(single));
      await assert.rejects(
        session.ask('word '.repeat(200)).result(),
        (error) => error instanceof ContextOverflowError && error.allowed === 150,
      );
      const answer = await session.ask('Describe this video.', { maxNewTokens: 500 }).result();
      assert.equal(answer.stats.stopReason, 'context-window');
      assert.equal(
        session.contextIds.length + session.questionIds('Describe this video.').length + answer.tokenIds.length,
        151,
      );
    } finally {
      await model.dispose();
    }
  });

  it('a stream whose token dim is not the LM hidden size is refused naming both', async () => {
    const model = await loadModel(smolvlm2Fixture, { runner: 'in-process' });
    try {
      const grid = await model.encoder().encodeFrames(syntheticFrames(1));
      const stream = streamFromGrid({ ...grid, D: 16, data: grid.data.subarray(0, 64 * 16) });
      await assert.rejects(
        model.createSession(stream),
        (error) => error instanceof InputRejectedError && assertOneLine(error, '16', '32'),
      );
    } finally {
      await model.dispose();
    }
  });

  it('generation stops at the eos id of generation_config.json', async () => {
    const reference = await loadModel(smolvlm2Fixture, { runner: 'in-process' });
    const grid = await reference.encoder().encodeFrames(syntheticFrames(2));
    const first = (
      await (
        await reference.createSession(streamFromGrid(grid))
      )
        .ask('Describe this video.', { maxNewTokens: 3 })
        .result()
    ).tokenIds;
    await reference.dispose();
    const directory = cloneFixture(smolvlm2Fixture, 'eos');
    writeFileSync(join(directory, 'generation_config.json'), JSON.stringify({ eos_token_id: [49279, first[1]] }));
    const model = await loadModel(directory, { runner: 'in-process' });
    try {
      assert.deepEqual(model.info.eos, [49279, first[1]]);
      const answer = await (await model.createSession(streamFromGrid(grid)))
        .ask('Describe this video.', { maxNewTokens: 3 })
        .result();
      assert.deepEqual(answer.tokenIds, first.slice(0, 1));
      assert.equal(answer.stats.stopReason, 'eos');
    } finally {
      await model.dispose();
    }
  });
});

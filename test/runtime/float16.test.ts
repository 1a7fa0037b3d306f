/**
 * @file float16 handling: the bit conversions against known IEEE 754 half values, and a decoder whose cache and
 * logits are float16 at the graph boundary (the fixture's `decoder_model_merged_fp16.onnx`, same weights) giving
 * the fp32 decoder's logits within float16 precision and the same greedy ids.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { float16Bits, float16DataToFloat32, float16ToFloat32, float32ToFloat16 } from '../../src/runtime/float16.js';
import { loadModel } from '../../src/runtime/index.js';
import { openGraphSession } from '../../src/runtime/onnx-session.js';
import { argmax } from '../../src/runtime/token-sampler.js';
import { smolvlm2Fixture, streamFromGrid, syntheticFrames } from './fixture-models.js';

describe('float16', () => {
  it('converts known half-precision values both ways', () => {
    const cases: [number, number][] = [
      [1, 0x3c00],
      [-2, 0xc000],
      [0.5, 0x3800],
      [65504, 0x7bff],
      [2 ** -24, 0x0001],
      [2 ** -14, 0x0400],
      [0, 0x0000],
      [Infinity, 0x7c00],
      [-Infinity, 0xfc00],
      [1e6, 0x7c00],
      [0.1, 0x2e66],
      [1 / 3, 0x3555],
    ];
    const bits = float32ToFloat16(Float32Array.from(cases.map(([value]) => value)));
    assert.deepEqual(
      [...bits],
      cases.map(([, half]) => half),
    );
    const back = float16ToFloat32(Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001, 0x2e66, 0x7e00]));
    assert.deepEqual([...back.subarray(0, 4)], [1, -2, 65504, 2 ** -24]);
    assert.ok(Math.abs(back[4]! - 0.0999755859375) < 1e-12);
    assert.ok(Number.isNaN(back[5]!));
    assert.equal(float32ToFloat16(Float32Array.of(1 + 2 ** -11))[0], 0x3c00, 'halfway rounds to even');
    assert.equal(float32ToFloat16(Float32Array.of(1 + 3 * 2 ** -11))[0], 0x3c02, 'halfway rounds to even (up)');
  });

  it('reads float16 data as bits whether it is a Uint16Array or a Float16Array', {
    skip:
      typeof (globalThis as { Float16Array?: unknown }).Float16Array === 'undefined'
        ? 'no Float16Array before Node 24'
        : false,
  }, () => {
    const Half = (
      globalThis as unknown as { Float16Array: { of(...values: number[]): ArrayBufferView & ArrayLike<number> } }
    ).Float16Array;
    const decoded = Half.of(1, -2, 65504, 0.1, 2 ** -24);
    const bits = float16Bits(decoded);
    assert.deepEqual([...bits], [0x3c00, 0xc000, 0x7bff, 0x2e66, 0x0001]);
    assert.equal(bits.buffer, decoded.buffer, 'a view over the same bytes, not a copy');
    assert.deepEqual([...float16DataToFloat32(decoded)], [...float16ToFloat32(bits)]);
  });

  it('refuses float16 data of any other storage', () => {
    const raw = Uint16Array.of(0x3c00);
    assert.equal(float16Bits(raw), raw);
    assert.throws(() => float16Bits(Float32Array.of(1)), TypeError);
  });

  it('a decoder with float16 cache and logits matches the fp32 decoder', async () => {
    const full = await loadModel(smolvlm2Fixture, { runner: 'in-process' });
    const half = await loadModel(smolvlm2Fixture, { runner: 'in-process', dtype: { decoder_model_merged: 'fp16' } });
    try {
      assert.equal(half.info.dtypes.decoder_model_merged, 'fp16');
      const graph = await openGraphSession(join(smolvlm2Fixture, 'onnx', 'decoder_model_merged_fp16.onnx'));
      assert.equal(graph.inputs.find((port) => port.name === 'inputs_embeds')!.type, 'float32');
      assert.equal(graph.inputs.find((port) => port.name === 'past_key_values.0.key')!.type, 'float16');
      assert.equal(graph.outputs.find((port) => port.name === 'logits')!.type, 'float16');
      await graph.dispose();
      const grid = await full.encoder().encodeFrames(syntheticFrames(2));
      const question = 'Describe this video.';
      const sessions = [await full.createSession(streamFromGrid(grid)), await half.createSession(streamFromGrid(grid))];
      const ids = Int32Array.from([...sessions[0]!.contextIds, ...sessions[0]!.questionIds(question)]);
      const imageId = full.tokenizer.tokenId('<image>')!;
      const logits = [];
      for (const [index, model] of [full, half].entries()) {
        const result = await model.runner.prefill({
          context: 'compare',
          inputIds: ids,
          placeholderIds: [imageId],
          visualRows: sessions[index]!.visualRows,
          chunkSize: 50,
        });
        logits.push(result.logits);
      }
      let worst = 0;
      let scale = 0;
      for (let index = 0; index < logits[0]!.length; index++) {
        worst = Math.max(worst, Math.abs(logits[0]![index]! - logits[1]![index]!));
        scale = Math.max(scale, Math.abs(logits[0]![index]!));
      }
      assert.ok(worst > 0, 'the float16 graph should round somewhere');
      assert.ok(worst < 0.01 * scale, `max difference ${worst} for logits up to ${scale}`);
      assert.equal(argmax(logits[1]!), argmax(logits[0]!));
      const answers = await Promise.all(sessions.map((session) => session.ask(question, { maxNewTokens: 6 }).result()));
      assert.deepEqual(answers[1]!.tokenIds, answers[0]!.tokenIds);
    } finally {
      await full.dispose();
      await half.dispose();
    }
  });
});

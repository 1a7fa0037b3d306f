/**
 * @file Buffered attention for older-style decoder exports (src/runtime/buffered-attention.ts): the rewrite applies
 * to every layer of the SmolVLM2 and LLaVA-OneVision fixture decoders in each dtype, and leaves alone what it does
 * not match (a GroupQueryAttention export, head counts that disagree with the graph, a graph it already rewrote).
 * Through the engine, the buffered graphs give the exported graphs' logits (fp32 within 1e-4; float16 within its
 * precision, same greedy tokens) over a chunked prefill, a decode that grows the buffers, and questions branched from
 * one prefilled context; and one call returns only its new KV rows.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { rewriteBufferedAttention } from '../../src/runtime/buffered-attention.js';
import { readGraph } from '../../src/runtime/onnx-graph-edit.js';
import { kvHeadroomRows } from '../../src/runtime/kv-buffers.js';
import { createModelEngine } from '../../src/runtime/model-engine.js';
import { locateModelFiles } from '../../src/runtime/model-files.js';
import type { ModelRunner } from '../../src/runtime/model-runner.js';
import { createTensor, openGraphSession } from '../../src/runtime/onnx-session.js';
import { decode, maxDifference, prefillPrompt, prompt } from './decode-helpers.js';
import { llavaOnevisionFixture, smolvlm2Fixture, smolvlm2GqaFixture } from './fixture-models.js';

function headsOf(directory: string): { heads: number; kvHeads: number; layers: number } {
  const config = JSON.parse(readFileSync(join(directory, 'config.json'), 'utf8')) as {
    text_config: { num_attention_heads: number; num_key_value_heads: number; num_hidden_layers: number };
  };
  const text = config.text_config;
  return { heads: text.num_attention_heads, kvHeads: text.num_key_value_heads, layers: text.num_hidden_layers };
}

const decoderFile = (directory: string, suffix = '') => join(directory, 'onnx', `decoder_model_merged${suffix}.onnx`);

async function engine(directory: string, dtype: string, buffered: boolean): Promise<ModelRunner> {
  const runner = createModelEngine({ inPlaceKvCache: buffered });
  const files = locateModelFiles(directory, { dtype: { decoder_model_merged: dtype as 'fp32' }, requireVision: false });
  const graphs = await runner.load({ files });
  assert.equal(graphs.bufferedAttentionLayers > 0, buffered, `${dtype}: buffered attention ${buffered}`);
  return runner;
}

const argmax = (values: Float32Array): number =>
  values.reduce((best, value, index) => (value > values[best]! ? index : best), 0);

describe('buffered attention (older-style decoder exports)', () => {
  it('rewrites every layer of the fixture decoders, in each dtype', () => {
    const cases: [string, string][] = [
      [smolvlm2Fixture, ''],
      [smolvlm2Fixture, '_fp16'],
      [smolvlm2Fixture, '_quantized'],
      [smolvlm2Fixture, '_q4'],
      [smolvlm2Fixture, '_q4f16'],
      [smolvlm2Fixture, '_int8'],
      [smolvlm2Fixture, '_uint8'],
      [llavaOnevisionFixture, ''],
    ];
    for (const [directory, suffix] of cases) {
      const { layers, ...heads } = headsOf(directory);
      const original = readFileSync(decoderFile(directory, suffix));
      const result = rewriteBufferedAttention(original, heads);
      assert.equal(result.skipped, undefined, `${directory}${suffix}: ${result.skipped}`);
      assert.equal(result.layers, layers, `${directory}${suffix}`);
      assert.notEqual(result.bytes, original);
      // Nothing left over: every initializer is read by a node (onnxruntime logs a warning for each unused one).
      const rewritten = readGraph(result.bytes);
      const read = new Set(rewritten.nodes.flatMap((node) => node.inputs));
      const unused = [...rewritten.initializers.keys()].filter((name) => !read.has(name));
      assert.deepEqual(unused, [], `${directory}${suffix}: unused initializers`);
      // Rewritten once is enough: a second pass finds its own nodes and leaves the graph alone.
      assert.match(rewriteBufferedAttention(result.bytes, heads).skipped ?? '', /already has rewritten nodes/);
    }
  });

  it('leaves alone a graph it does not match, and says why', () => {
    const gqa = readFileSync(decoderFile(smolvlm2GqaFixture));
    const { layers: _gqaLayers, ...gqaHeads } = headsOf(smolvlm2GqaFixture);
    const skippedGqa = rewriteBufferedAttention(gqa, gqaHeads);
    assert.equal(skippedGqa.layers, 0);
    assert.equal(skippedGqa.bytes, gqa);
    assert.match(skippedGqa.skipped ?? '', /present\.0\.key is not made by Concat/);
    const { heads, kvHeads } = headsOf(smolvlm2Fixture);
    const plain = readFileSync(decoderFile(smolvlm2Fixture));
    const wrongHeads = rewriteBufferedAttention(plain, { heads, kvHeads: kvHeads * 2 });
    assert.equal(wrongHeads.layers, 0);
    assert.match(wrongHeads.skipped ?? '', /KV heads/);
  });

  it('one call returns only its new KV rows', async () => {
    const { layers: _layers, ...heads } = headsOf(smolvlm2Fixture);
    const session = await openGraphSession(decoderFile(smolvlm2Fixture), { bufferedAttention: heads });
    try {
      assert.ok(session.bufferedAttentionLayers > 0);
      const hidden = session.inputs.find((port) => port.name === 'inputs_embeds')!.shape[2] as number;
      const past = session.inputs.find((port) => port.name === 'past_key_values.0.key')!;
      const [, kv, , headDim] = past.shape as [unknown, number, unknown, number];
      const feeds: Record<string, ReturnType<typeof createTensor>> = {
        inputs_embeds: createTensor('float32', new Float32Array(3 * hidden).fill(0.1), [1, 3, hidden]),
        attention_mask: createTensor('int64', new BigInt64Array(8).fill(1n), [1, 8]),
        position_ids: createTensor('int64', BigInt64Array.from([5n, 6n, 7n]), [1, 3]),
      };
      // A buffer of 12 rows, 5 of them valid.
      for (const port of session.inputs.filter((candidate) => candidate.name.startsWith('past_key_values.')))
        feeds[port.name] = createTensor('float32', new Float32Array(kv * 12 * headDim).fill(0.01), [
          1,
          kv,
          12,
          headDim,
        ]);
      const outputs = await session.run(feeds);
      assert.deepEqual(outputs['present.0.key']!.dims, [1, kv, 3, headDim]);
      assert.deepEqual(outputs['present.0.value']!.dims, [1, kv, 3, headDim]);
    } finally {
      await session.dispose();
    }
  });

  for (const [family, directory] of [
    ['SmolVLM2', smolvlm2Fixture],
    ['LLaVA-OneVision', llavaOnevisionFixture],
  ] as const) {
    it(`${family} fp32: buffered logits match the export's over chunked prefill and a buffer growth`, async () => {
      const steps = kvHeadroomRows + 10; // the prefill reserves prompt + headroom rows, so the decode grows them
      const results: Float32Array[][] = [];
      for (const buffered of [true, false]) {
        const runner = await engine(directory, 'fp32', buffered);
        try {
          const first = await prefillPrompt(runner, 'c');
          results.push([first, ...(await decode(runner, 'c', first, steps, buffered))]);
        } finally {
          await runner.dispose();
        }
      }
      const difference = maxDifference(results[0]!, results[1]!);
      assert.ok(difference <= 1e-4, `max |Δlogit| ${difference}`);
    });
  }

  it('float16 (fp16, q4f16): within float16 precision, same greedy tokens', async () => {
    for (const dtype of ['fp16', 'q4f16']) {
      const results: Float32Array[][] = [];
      for (const buffered of [true, false]) {
        const runner = await engine(smolvlm2Fixture, dtype, buffered);
        try {
          const first = await prefillPrompt(runner, 'c');
          results.push([first, ...(await decode(runner, 'c', first, 30, buffered))]);
        } finally {
          await runner.dispose();
        }
      }
      const [buffered, exported] = results as [Float32Array[], Float32Array[]];
      const scale = Math.max(...exported.map((row) => Math.max(...row.map(Math.abs))));
      const difference = maxDifference(buffered, exported);
      assert.ok(difference <= 0.02 * scale, `${dtype}: max |Δlogit| ${difference} of ${scale}`);
      assert.deepEqual(buffered.map(argmax), exported.map(argmax), `${dtype}: greedy tokens`);
    }
  });

  it('questions branched from one prefilled context decode as if each were alone', async () => {
    const runner = await engine(smolvlm2Fixture, 'fp32', true);
    const reference = await engine(smolvlm2Fixture, 'fp32', false);
    try {
      const request = { placeholderIds: [], visualRows: new Float32Array(0), chunkSize: 16 };
      for (const target of [runner, reference])
        await target.prefill({ ...request, context: 'video', inputIds: prompt });
      const ask = async (target: ModelRunner, name: string, ids: number[], first: number) => {
        await target.prefill({ ...request, context: name, base: 'video', inputIds: Int32Array.from(ids) });
        const logits: Float32Array[] = [];
        for (let step = 0; step < 8; step++)
          logits.push((await target.step({ context: name, tokenId: first + step })).logits);
        return logits;
      };
      // Interleaved on one runner: a, b, a again from the same video context.
      const a = await ask(runner, 'a', [5, 6, 7], 200);
      const b = await ask(runner, 'b', [8, 9], 300);
      const again = await ask(runner, 'a2', [5, 6, 7], 200);
      assert.deepEqual(again, a, 'the prefilled context is unchanged by the questions decoded from it');
      assert.ok(maxDifference(a, await ask(reference, 'a', [5, 6, 7], 200)) <= 1e-4);
      assert.ok(maxDifference(b, await ask(reference, 'b', [8, 9], 300)) <= 1e-4);
      // A prefill on top of a decoded context sees exactly its valid rows.
      const follow = await runner.prefill({
        ...request,
        context: 'a-follow',
        base: 'a',
        inputIds: Int32Array.of(11, 12),
      });
      const followReference = await reference.prefill({
        ...request,
        context: 'a-follow',
        base: 'a',
        inputIds: Int32Array.of(11, 12),
      });
      assert.equal(follow.length, prompt.length + 3 + 8 + 2);
      assert.ok(maxDifference([follow.logits], [followReference.logits]) <= 1e-4);
    } finally {
      await runner.dispose();
      await reference.dispose();
    }
  });
});

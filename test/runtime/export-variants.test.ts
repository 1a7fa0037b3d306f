/**
 * @file The hub's dtype variants and the newer export style, on fixtures built with the real files' operators
 * (scripts/fixtures/export_variants.py): each decoder, embed and vision variant stays within its stated tolerance of
 * the fp32 graph on the same prompt, and the GroupQueryAttention decoder without `position_ids` matches its torch
 * reference, prefills in chunks like in one call, and answers a question prefilled on top of a cached video.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { parseNpy } from '../../src/golden/npy.js';
import { loadModel, type VlmModel } from '../../src/runtime/index.js';
import { scanOnnxFile } from '../../src/runtime/onnx-file-scan.js';
import { smolvlm2Fixture, smolvlm2GqaFixture, streamFromGrid, syntheticFrames } from './fixture-models.js';

/**
 * Tolerances against fp32, as max |Δlogit| / max |logit| over the last position's logits, and the cosine between the
 * two logit vectors. Measured on these random-weight fixtures (relative / cosine): fp16 0.18 % / 0.999998, q8 0.82 % /
 * 0.99997, q4 10.9 % / 0.9945, q4f16 11.1 % / 0.9943, int8 2.0 % / 0.9998, uint8 5.4 % / 0.9986 (per-tensor weight
 * scales), and the GroupQueryAttention q4f16 17.8 % / 0.990. 4-bit
 * quantization of random weights (K = 32 is a single block) is far coarser than on trained weights, so the q4 bound
 * is loose and the cosine and the greedy token carry the check.
 */
const tolerances: Record<string, { readonly relative: number; readonly cosine: number }> = {
  fp16: { relative: 0.01, cosine: 0.9999 },
  q8: { relative: 0.02, cosine: 0.9999 },
  q4: { relative: 0.25, cosine: 0.985 },
  q4f16: { relative: 0.25, cosine: 0.985 },
  int8: { relative: 0.08, cosine: 0.997 },
  uint8: { relative: 0.08, cosine: 0.997 },
};

function compare(
  reference: Float32Array,
  candidate: Float32Array,
): { relative: number; cosine: number; argmaxEqual: boolean } {
  let worst = 0;
  let scale = 0;
  let dot = 0;
  let left = 0;
  let right = 0;
  let referenceBest = 0;
  let candidateBest = 0;
  for (let index = 0; index < reference.length; index++) {
    const a = reference[index]!;
    const b = candidate[index]!;
    worst = Math.max(worst, Math.abs(a - b));
    scale = Math.max(scale, Math.abs(a));
    dot += a * b;
    left += a * a;
    right += b * b;
    if (a > reference[referenceBest]!) referenceBest = index;
    if (b > candidate[candidateBest]!) candidateBest = index;
  }
  return {
    relative: worst / scale,
    cosine: dot / Math.sqrt(left * right),
    argmaxEqual: referenceBest === candidateBest,
  };
}

async function promptLogits(model: VlmModel, reference: VlmModel, chunkSize = 64): Promise<Float32Array> {
  // Both models see the same ids and the same visual rows (from the reference model's fp32 vision encoder).
  const grid = await reference.encoder().encodeFrames(syntheticFrames(2));
  const session = await reference.createSession(streamFromGrid(grid));
  const ids = Int32Array.from([...session.contextIds, ...session.questionIds('Describe this video.')]);
  const visualRows = session.visualRows;
  await session.dispose();
  const imageId = reference.tokenizer.tokenId('<image>')!;
  const result = await model.runner.prefill({
    context: 'compare',
    inputIds: ids,
    placeholderIds: [imageId],
    visualRows,
    chunkSize,
  });
  await model.runner.release('compare');
  return result.logits;
}

function operatorsOf(directory: string, file: string): Readonly<Record<string, number>> {
  return scanOnnxFile(join(directory, 'onnx', file)).operators;
}

describe('dtype variants of the SmolVLM2 fixture (same weights as fp32)', () => {
  let fp32: VlmModel;

  before(async () => {
    fp32 = await loadModel(smolvlm2Fixture, { runner: 'in-process', dtype: 'fp32' });
  });
  after(() => fp32.dispose());

  const decoders: readonly {
    dtype: 'fp16' | 'q4' | 'q4f16' | 'q8' | 'int8' | 'uint8';
    file: string;
    bits?: number;
    half: boolean;
  }[] = [
    { dtype: 'fp16', file: 'decoder_model_merged_fp16.onnx', half: true },
    { dtype: 'q4', file: 'decoder_model_merged_q4.onnx', bits: 4, half: false },
    { dtype: 'q4f16', file: 'decoder_model_merged_q4f16.onnx', bits: 4, half: true },
    { dtype: 'q8', file: 'decoder_model_merged_quantized.onnx', bits: 8, half: false },
    { dtype: 'int8', file: 'decoder_model_merged_int8.onnx', half: false },
    { dtype: 'uint8', file: 'decoder_model_merged_uint8.onnx', half: false },
  ];
  for (const variant of decoders) {
    it(`decoder ${variant.dtype} (${variant.file}) uses the real files' ops and stays within tolerance of fp32`, async (t) => {
      const operators = operatorsOf(smolvlm2Fixture, variant.file);
      if (variant.bits !== undefined)
        assert.equal(operators['com.microsoft:MatMulNBits'], 15, 'every projection and lm_head is MatMulNBits');
      if (variant.dtype === 'int8' || variant.dtype === 'uint8')
        assert.equal(operators['MatMulInteger'], 15, 'every projection and lm_head is MatMulInteger');
      if (variant.dtype !== 'fp16') assert.equal(operators['MatMul'], 4, 'only the attention products stay MatMul');
      const model = await loadModel(smolvlm2Fixture, {
        runner: 'in-process',
        dtype: { decoder_model_merged: variant.dtype },
      });
      try {
        const graphs = model.graphs;
        const past = graphs.decoder.inputs.find((port) => port.name === 'past_key_values.0.key')!;
        const logitsPort = graphs.decoder.outputs.find((port) => port.name === 'logits')!;
        assert.equal(
          graphs.decoder.inputs.find((port) => port.name === 'inputs_embeds')!.type,
          'float32',
          'float32 inputs_embeds, cast inside',
        );
        assert.equal(past.type, variant.half ? 'float16' : 'float32');
        assert.equal(logitsPort.type, variant.half ? 'float16' : 'float32');
        const measured = compare(await promptLogits(fp32, fp32), await promptLogits(model, fp32));
        const tolerance = tolerances[variant.dtype]!;
        t.diagnostic(
          `${variant.dtype}: relative max difference ${measured.relative.toFixed(5)}, cosine ${measured.cosine.toFixed(6)}`,
        );
        assert.ok(measured.relative > 0, 'the variant should differ from fp32 somewhere');
        assert.ok(
          measured.relative < tolerance.relative,
          `relative max difference ${measured.relative.toFixed(4)} ≥ ${tolerance.relative}`,
        );
        assert.ok(measured.cosine > tolerance.cosine, `cosine ${measured.cosine.toFixed(5)} ≤ ${tolerance.cosine}`);
        assert.ok(measured.argmaxEqual, 'the greedy next token agrees with fp32');
      } finally {
        await model.dispose();
      }
    });
  }

  it('embed_tokens q4 (GatherBlockQuantized) and fp16 stay within tolerance of the fp32 table', async () => {
    assert.equal(operatorsOf(smolvlm2Fixture, 'embed_tokens_q4.onnx')['com.microsoft:GatherBlockQuantized'], 1);
    const ids = Int32Array.from({ length: 300 }, (_, index) => (index * 163) % 49280);
    const reference = await fp32.runner.embed(ids);
    for (const [dtype, bound] of [
      ['q4', 0.08],
      ['fp16', 1e-7],
    ] as const) {
      const model = await loadModel(smolvlm2Fixture, { runner: 'in-process', dtype: { embed_tokens: dtype } });
      try {
        const rows = await model.runner.embed(ids);
        let worst = 0;
        let scale = 0;
        for (let index = 0; index < rows.length; index++) {
          worst = Math.max(worst, Math.abs(rows[index]! - reference[index]!));
          scale = Math.max(scale, Math.abs(reference[index]!));
        }
        assert.ok(worst / scale <= bound, `${dtype}: relative max difference ${worst / scale}`);
        if (dtype === 'q4') assert.ok(worst > 0);
      } finally {
        await model.dispose();
      }
    }
  });

  it('vision_encoder q4 and q8 (MatMulNBits connector) stay within tolerance of fp32', async () => {
    const frames = syntheticFrames(2);
    const reference = await fp32.encoder().encodeFrames(frames);
    for (const [dtype, bound] of [
      ['q4', 0.2],
      ['q8', 0.02],
    ] as const) {
      assert.equal(
        operatorsOf(smolvlm2Fixture, `vision_encoder${dtype === 'q4' ? '_q4' : '_quantized'}.onnx`)[
          'com.microsoft:MatMulNBits'
        ],
        1,
      );
      const model = await loadModel(smolvlm2Fixture, { runner: 'in-process', dtype: { vision_encoder: dtype } });
      try {
        const grid = await model.encoder().encodeFrames(frames);
        const measured = compare(reference.data, grid.data);
        assert.ok(
          measured.relative > 0 && measured.relative < bound,
          `${dtype}: relative max difference ${measured.relative}`,
        );
        assert.ok(measured.cosine > 0.99, `${dtype}: cosine ${measured.cosine}`);
      } finally {
        await model.dispose();
      }
    }
  });
});

describe('the newer export style: GroupQueryAttention decoder without position_ids', () => {
  let model: VlmModel;

  before(async () => {
    model = await loadModel(smolvlm2GqaFixture, { runner: 'in-process' });
  });
  after(() => model.dispose());

  it('declares no position_ids and no pixel_attention_mask, and loads with the automatic dtypes', async () => {
    assert.deepEqual(model.info.dtypes, { embed_tokens: 'q4', vision_encoder: 'q8', decoder_model_merged: 'fp32' });
    const operators = operatorsOf(smolvlm2GqaFixture, 'decoder_model_merged.onnx');
    assert.equal(operators['com.microsoft:GroupQueryAttention'], 2);
    assert.equal(operators['com.microsoft:SkipSimplifiedLayerNormalization'], 4);
    const graphs = model.graphs;
    const names = graphs.decoder.inputs.map((port) => port.name);
    assert.ok(!names.includes('position_ids'));
    assert.ok(names.includes('num_logits_to_keep'));
    assert.deepEqual(
      graphs.vision!.inputs.map((port) => port.name),
      ['pixel_values'],
    );
  });

  it('matches the torch module it was exported from (positions computed from attention_mask in the graph)', async () => {
    const inputs = parseNpy(readFileSync(join(smolvlm2GqaFixture, 'reference', 'inputs_embeds.npy')));
    const expected = parseNpy(readFileSync(join(smolvlm2GqaFixture, 'reference', 'last_logits.npy')));
    const count = inputs.shape[1]!;
    const imageId = model.tokenizer.tokenId('<image>')!;
    // Every position is a placeholder, so the decoder sees exactly the reference inputs_embeds.
    const ids = new Int32Array(count).fill(imageId);
    for (const chunkSize of [count, 5]) {
      const result = await model.runner.prefill({
        context: 'reference',
        inputIds: ids,
        placeholderIds: [imageId],
        visualRows: inputs.data as Float32Array,
        chunkSize,
      });
      const measured = compare(expected.data as Float32Array, result.logits);
      assert.ok(measured.relative < 1e-4, `chunk ${chunkSize}: relative max difference ${measured.relative}`);
    }
    await model.runner.release('reference');
  });

  it('a question prefilled on top of a cached video gives the logits of the whole prompt prefilled at once', async () => {
    const grid = await model.encoder().encodeFrames(syntheticFrames(3));
    const session = await model.createSession(streamFromGrid(grid));
    const question = 'What is the person doing?';
    const questionIds = session.questionIds(question);
    const imageId = model.tokenizer.tokenId('<image>')!;
    const runner = model.runner;
    await runner.prefill({
      context: 'video',
      inputIds: session.contextIds,
      placeholderIds: [imageId],
      visualRows: session.visualRows,
      chunkSize: 50,
    });
    const continued = await runner.prefill({
      context: 'question',
      base: 'video',
      inputIds: questionIds,
      placeholderIds: [imageId],
      visualRows: new Float32Array(0),
      chunkSize: 3,
    });
    const whole = await runner.prefill({
      context: 'whole',
      inputIds: Int32Array.from([...session.contextIds, ...questionIds]),
      placeholderIds: [imageId],
      visualRows: session.visualRows,
      chunkSize: 512,
    });
    const measured = compare(whole.logits, continued.logits);
    assert.ok(measured.relative < 1e-4, `relative max difference ${measured.relative}`);
    assert.equal(continued.length, whole.length);
    const first = await session.ask(question, { maxNewTokens: 8 }).result();
    const again = await session.ask(question, { maxNewTokens: 8 }).result();
    assert.deepEqual(again.tokenIds, first.tokenIds, 'the cached video is reused unchanged');
    await session.dispose();
    for (const context of ['video', 'question', 'whole']) await runner.release(context);
  });

  it('q4f16 (MatMulNBits, float16 KV and logits, GroupQueryAttention) stays within tolerance of its fp32 graph', async (t) => {
    const half = await loadModel(smolvlm2GqaFixture, {
      runner: 'in-process',
      dtype: { decoder_model_merged: 'q4f16' },
    });
    try {
      const measured = compare(await promptLogits(model, model, 7), await promptLogits(half, model, 7));
      t.diagnostic(
        `gqa q4f16: relative max difference ${measured.relative.toFixed(5)}, cosine ${measured.cosine.toFixed(6)}`,
      );
      assert.ok(
        measured.relative > 0 && measured.relative < tolerances['q4f16']!.relative,
        `relative ${measured.relative}`,
      );
      assert.ok(measured.cosine > tolerances['q4f16']!.cosine, `cosine ${measured.cosine}`);
    } finally {
      await half.dispose();
    }
  });
});

describe('quantized compute on the CPU (MatMulNBits accuracy_level, src/runtime/matmul-nbits-accuracy.ts)', () => {
  let fp32: VlmModel;

  before(async () => {
    fp32 = await loadModel(smolvlm2Fixture, { runner: 'in-process', dtype: 'fp32' });
  });
  after(() => fp32.dispose());

  async function measure(dtype: 'q8' | 'q4', quantizedCompute: 'auto' | 'int8' | 'exported') {
    const model = await loadModel(smolvlm2Fixture, {
      runner: 'in-process',
      dtype: { decoder_model_merged: dtype, vision_encoder: dtype },
      quantizedCompute,
    });
    try {
      const logits = await promptLogits(model, fp32);
      return { nodes: model.graphs.int8MatMulNodes, logits, measured: compare(await promptLogits(fp32, fp32), logits) };
    } finally {
      await model.dispose();
    }
  }

  it('auto runs 8-bit nodes with int8 activations, exported keeps the file; both stay within the q8 bound', async (t) => {
    const auto = await measure('q8', 'auto');
    const exported = await measure('q8', 'exported');
    assert.deepEqual(auto.nodes, { embed_tokens: 0, decoder_model_merged: 15, vision_encoder: 1 });
    assert.deepEqual(exported.nodes, { embed_tokens: 0, decoder_model_merged: 0, vision_encoder: 0 });
    assert.notDeepEqual(auto.logits, exported.logits, 'int8 activations change the logits');
    t.diagnostic(
      `q8 vs fp32: exported ${exported.measured.relative.toFixed(5)} / ${exported.measured.cosine.toFixed(6)}, ` +
        `int8 activations ${auto.measured.relative.toFixed(5)} / ${auto.measured.cosine.toFixed(6)}`,
    );
    for (const { measured } of [auto, exported]) {
      assert.ok(measured.relative < tolerances.q8!.relative, `relative ${measured.relative}`);
      assert.ok(measured.cosine > tolerances.q8!.cosine, `cosine ${measured.cosine}`);
      assert.ok(measured.argmaxEqual);
    }
  });

  it('auto keeps 4-bit nodes as exported; int8 raises them and stays within the q4 bound', async (t) => {
    const auto = await measure('q4', 'auto');
    const int8 = await measure('q4', 'int8');
    assert.deepEqual(auto.nodes, { embed_tokens: 0, decoder_model_merged: 0, vision_encoder: 0 });
    assert.deepEqual(int8.nodes, { embed_tokens: 0, decoder_model_merged: 15, vision_encoder: 1 });
    assert.notDeepEqual(auto.logits, int8.logits);
    t.diagnostic(
      `q4 int8 activations vs fp32: ${int8.measured.relative.toFixed(5)} / ${int8.measured.cosine.toFixed(6)}`,
    );
    assert.ok(int8.measured.relative < tolerances.q4!.relative);
    assert.ok(int8.measured.cosine > tolerances.q4!.cosine);
    assert.ok(int8.measured.argmaxEqual);
  });

  it('the child runner reports the raised nodes too', async () => {
    const model = await loadModel(smolvlm2Fixture, { runner: 'child', dtype: { decoder_model_merged: 'q8' } });
    try {
      assert.equal(model.graphs.int8MatMulNodes.decoder_model_merged, 15);
    } finally {
      await model.dispose();
    }
  });
});

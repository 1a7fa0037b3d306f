/**
 * @file The MatMulNBits accuracy rewrite on the fixture graphs: which nodes it raises (8-bit only, or 4- and
 * 8-bit), that it replaces an existing level instead of adding a second one, that it leaves graphs without such
 * nodes untouched, that a raised graph is raised no further, and that onnxruntime opens what it writes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { listMatMulNBitsNodes, raiseMatMulNBitsAccuracy } from '../../src/runtime/matmul-nbits-accuracy.js';
import { smolvlm2Fixture } from './fixture-models.js';

const graph = (file: string): Uint8Array => readFileSync(join(smolvlm2Fixture, 'onnx', file));

describe('raiseMatMulNBitsAccuracy', () => {
  it('raises the 8-bit decoder nodes to level 4 and onnxruntime opens the result', async () => {
    const original = graph('decoder_model_merged_quantized.onnx');
    const before = listMatMulNBitsNodes(original);
    assert.equal(before.length, 15);
    assert.ok(
      before.every((node) => node.bits === 8 && node.accuracyLevel === 0),
      'the fixture is exported at level 0',
    );
    const rewrite = raiseMatMulNBitsAccuracy(original, { bits: [8] });
    assert.equal(rewrite.raisedNodes, 15);
    assert.deepEqual(
      listMatMulNBitsNodes(rewrite.bytes).map((node) => node.accuracyLevel),
      new Array(15).fill(4),
    );
    const session = await ort.InferenceSession.create(rewrite.bytes);
    assert.deepEqual(
      [...session.inputNames].sort(),
      [...(await ort.InferenceSession.create(original)).inputNames].sort(),
      'same graph interface',
    );
    assert.equal(raiseMatMulNBitsAccuracy(rewrite.bytes, { bits: [8] }).raisedNodes, 0, 'nothing left to raise');
  });

  it('leaves 4-bit nodes alone unless asked, and replaces a level already present', () => {
    const q4 = graph('decoder_model_merged_q4.onnx');
    const untouched = raiseMatMulNBitsAccuracy(q4, { bits: [8] });
    assert.equal(untouched.raisedNodes, 0);
    assert.equal(untouched.bytes, q4, 'the same bytes, not a copy');
    const level2 = raiseMatMulNBitsAccuracy(q4, { bits: [4], level: 2 });
    assert.equal(level2.raisedNodes, 15);
    const level4 = raiseMatMulNBitsAccuracy(level2.bytes, { bits: [4, 8] });
    assert.equal(level4.raisedNodes, 15);
    assert.deepEqual(
      listMatMulNBitsNodes(level4.bytes).map((node) => [node.bits, node.accuracyLevel]),
      new Array(15).fill([4, 4]),
      'one accuracy_level per node, the new one',
    );
    // Only the attribute changes: 15 nodes x (removed level-2 attribute + added level-4 attribute) of equal size.
    assert.equal(level4.bytes.length, level2.bytes.length);
  });

  it('returns a graph without MatMulNBits unchanged', () => {
    const fp32 = graph('decoder_model_merged.onnx');
    const rewrite = raiseMatMulNBitsAccuracy(fp32, { bits: [4, 8] });
    assert.equal(rewrite.raisedNodes, 0);
    assert.equal(rewrite.bytes, fp32);
    assert.equal(listMatMulNBitsNodes(fp32).length, 0);
  });
});

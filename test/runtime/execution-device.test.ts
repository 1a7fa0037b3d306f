/**
 * @file Execution-provider selection on a machine without onnxruntime-node's CUDA binaries (the CI case): `cpu`
 * runs on the CPU with no notice; `auto` falls back to the CPU with exactly one one-line notice (also through the
 * child runner) and still generates the same tokens; `cuda` is ModelLoadError naming the install flag.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModelLoadError } from '../../src/errors/index.js';
import { cudaProviderInstalled, loadModel } from '../../src/runtime/index.js';
import { smolvlm2Fixture, streamFromGrid, syntheticFrames } from './fixture-models.js';

const skip = cudaProviderInstalled()
  ? 'onnxruntime-node CUDA binaries are installed here; this checks the fallback'
  : false;

describe('execution device', { skip }, () => {
  it('cpu: the sessions run on the CPU without a notice', async () => {
    const notices: string[] = [];
    const model = await loadModel(smolvlm2Fixture, {
      runner: 'in-process',
      device: 'cpu',
      onNotice: (message) => notices.push(message),
    });
    try {
      assert.equal(model.graphs.device, 'cpu');
      assert.deepEqual(notices, []);
    } finally {
      await model.dispose();
    }
  });

  for (const runner of ['in-process', 'child'] as const) {
    it(`auto (${runner} runner): falls back to the CPU with one notice and generates as on the CPU`, async () => {
      const notices: string[] = [];
      const auto = await loadModel(smolvlm2Fixture, {
        runner,
        device: 'auto',
        onNotice: (message) => notices.push(message),
      });
      const cpu = await loadModel(smolvlm2Fixture, { runner: 'in-process', device: 'cpu' });
      try {
        assert.equal(auto.graphs.device, 'cpu');
        assert.equal(notices.length, 1, notices.join(' | '));
        assert.ok(!notices[0]!.includes('\n'));
        assert.match(
          notices[0]!,
          /^device auto: running on the CPU \(onnxruntime-node's CUDA binaries are not installed/,
        );
        const grid = await cpu.encoder().encodeFrames(syntheticFrames(2));
        const answers = [];
        for (const model of [auto, cpu]) {
          const session = await model.createSession(streamFromGrid(grid));
          answers.push((await session.ask('What is the person doing?', { maxNewTokens: 6 }).result()).tokenIds);
          await session.dispose();
        }
        assert.deepEqual(answers[0], answers[1]);
      } finally {
        await auto.dispose();
        await cpu.dispose();
      }
    });
  }

  it('cuda: unavailable is ModelLoadError naming the graph and the install flag', async () => {
    await assert.rejects(loadModel(smolvlm2Fixture, { runner: 'in-process', device: 'cuda' }), (error) => {
      assert.ok(error instanceof ModelLoadError);
      assert.ok(!error.message.includes('\n'));
      assert.match(
        error.message,
        /embed_tokens\.onnx: device cuda: onnxruntime-node's CUDA binaries are not installed .*--onnxruntime-node-install=cuda12/,
      );
      return true;
    });
  });
});

/**
 * @file `vidtok narrate --device` through the real CLI on a machine without onnxruntime-node's CUDA binaries (as
 * test/uses/device-cli.test.ts does for ask and caption): cpu narrates silently, auto narrates the same with one
 * notice line, cuda fails with the model-load exit code (8) and one line naming the install flag, and writes no
 * event; an unknown device is a usage error (2).
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { ExitCode } from '../../src/errors/index.js';
import { cudaProviderInstalled } from '../../src/runtime/onnx-session.js';
import { scratchDir } from '../helpers/paths.js';
import { fixtureModel, runCli, sceneClip, type SceneClip } from './narration-helpers.js';

const skip = cudaProviderInstalled()
  ? 'onnxruntime-node has its CUDA binaries here; the fallback is not reachable'
  : false;

let clip: SceneClip;
before(async () => {
  clip = await sceneClip(scratchDir('narrate-device-cli'));
});

test('narrate --device: cpu silent, auto falls back with one notice, cuda exits 8 with one line, unknown exits 2', {
  skip,
}, async () => {
  const narrate = (device: string): ReturnType<typeof runCli> =>
    runCli(['narrate', clip.path, '-m', fixtureModel, '--max-new-tokens', '3', '--device', device]);
  const [cpu, auto, cuda, unknown] = await Promise.all([
    narrate('cpu'),
    narrate('auto'),
    narrate('cuda'),
    narrate('gpu'),
  ]);
  assert.equal(cpu.code, 0, cpu.stderr);
  assert.doesNotMatch(cpu.stderr, /device/);
  const ends = (run: typeof cpu): string[] =>
    run.events.flatMap((event) => (event.type === 'narration-end' ? [event.text] : []));
  assert.equal(ends(cpu).length, 3, 'three scenes narrated');
  assert.equal(auto.code, 0, auto.stderr);
  assert.equal(auto.stderr.match(/device auto: running on the CPU/g)?.length, 1, auto.stderr);
  assert.deepEqual(ends(auto), ends(cpu), 'the fallback narrates as --device cpu does');
  assert.equal(cuda.code, ExitCode.modelError, cuda.stderr);
  assert.match(cuda.stderr, /device cuda: .*--onnxruntime-node-install=cuda12/);
  assert.equal(cuda.stderr.trim().split('\n').length, 1, `one line, no stack: ${cuda.stderr}`);
  assert.deepEqual(cuda.events, []);
  assert.equal(unknown.code, ExitCode.usage, unknown.stderr);
  assert.match(unknown.stderr, /gpu/);
});

/**
 * @file `--device` on `vidtok ask` and `vidtok caption` through the real CLI entry point, on a machine without
 * onnxruntime-node's CUDA binaries: cpu runs silently, auto falls back to the CPU with one notice line on stderr and
 * the same answer, cuda fails with exit 8 naming the install flag and writes nothing, an unknown device is a usage
 * error (2), and caption's local mode takes the flag while its queue mode refuses it (the workers open the model).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cudaProviderInstalled } from '../../src/runtime/onnx-session.js';
import { scratchDir } from '../helpers/paths.js';
import { runVidtok, smolvlm2Fixture, writeSmallPipeline, yogaClip } from './use-fixtures.js';

const scratch = scratchDir('device-cli');
const skip = cudaProviderInstalled()
  ? 'onnxruntime-node has its CUDA binaries here; the fallback is not reachable'
  : false;
const fallbackNotice =
  /^device auto: running on the CPU \(onnxruntime-node's CUDA binaries are not installed .*--onnxruntime-node-install=cuda12/m;

test('ask --device: cpu silent, auto falls back with one notice and the same answer, cuda exits 8, unknown exits 2', {
  skip,
}, async () => {
  const ask = (device: string): ReturnType<typeof runVidtok> =>
    runVidtok([
      'ask',
      yogaClip,
      'What is happening?',
      '-m',
      smolvlm2Fixture,
      '--max-new-tokens',
      '4',
      '--device',
      device,
    ]);
  const [cpu, auto, cuda, unknown] = await Promise.all([ask('cpu'), ask('auto'), ask('cuda'), ask('gpu')]);
  assert.equal(cpu.code, 0, cpu.stderr);
  assert.doesNotMatch(cpu.stderr, /device/);
  assert.equal(auto.code, 0, auto.stderr);
  assert.match(auto.stderr, fallbackNotice);
  assert.equal(auto.stderr.match(/device auto:/g)?.length, 1, `one notice line, not one per graph: ${auto.stderr}`);
  assert.equal(auto.stdout, cpu.stdout, 'the fallback answers as --device cpu does');
  assert.ok(cpu.stdout.trim().length > 0);
  assert.equal(cuda.code, 8, cuda.stderr);
  assert.match(cuda.stderr, /device cuda: .*--onnxruntime-node-install=cuda12/);
  assert.equal(cuda.stderr.trim().split('\n').length, 1, `one line, no stack: ${cuda.stderr}`);
  assert.equal(cuda.stdout, '');
  assert.equal(unknown.code, 2, unknown.stderr);
  assert.match(unknown.stderr, /gpu/);
});

test('caption --device: auto captions in local mode with one notice; cuda fails with no output; --queue refuses it', {
  skip,
}, async () => {
  const pipeline = writeSmallPipeline(scratch, 2);
  const caption = (device: string, out: string, extra: readonly string[] = []): ReturnType<typeof runVidtok> =>
    runVidtok([
      'caption',
      yogaClip,
      '--out',
      out,
      '-m',
      smolvlm2Fixture,
      '-p',
      pipeline,
      '--chunk',
      '5s',
      '--overlap',
      '1s',
      '--max-new-tokens',
      '2',
      '--format',
      'jsonl',
      '--json',
      '--device',
      device,
      ...extra,
    ]);
  const autoOut = join(scratch, 'auto');
  const cudaOut = join(scratch, 'cuda');
  const [auto, cuda, queued] = await Promise.all([
    caption('auto', autoOut),
    caption('cuda', cudaOut),
    caption('auto', join(scratch, 'queued'), ['--queue', 'redis://127.0.0.1:1']),
  ]);
  assert.equal(auto.code, 0, auto.stderr);
  assert.equal(auto.stderr.match(/device auto: running on the CPU/g)?.length, 1, auto.stderr);
  assert.equal(JSON.parse(auto.stdout).done, 1);
  assert.ok(readdirSync(autoOut).some((name) => name.endsWith('.jsonl')));
  assert.notEqual(cuda.code, 0, cuda.stderr);
  assert.match(cuda.stderr, /device cuda: .*--onnxruntime-node-install=cuda12/);
  assert.ok(
    !existsSync(cudaOut) || readdirSync(cudaOut).every((name) => !name.endsWith('.jsonl')),
    'no caption file from a failed load',
  );
  assert.equal(queued.code, 2, queued.stderr);
  assert.match(queued.stderr, /--device with --queue/);
});

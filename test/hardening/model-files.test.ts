/**
 * @file Model files as untrusted input, with crafted ONNX graphs (protobuf written byte by byte here): external
 * data that points outside the model folder (relative, absolute, through a symlink) is refused; so is external data
 * that lists more bytes than its file has, or a tensor whose shape needs more bytes than are listed; and a model
 * whose weights exceed VIDTOK_MODEL_MEMORY_LIMIT fails with a clear ModelLoadError, also through the CLI (exit 8).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ModelLoadError } from '../../src/errors/index.js';
import { checkModelMemory, modelMemoryLimitBytes, tensorBytes } from '../../src/runtime/model-file-limits.js';
import { checkGraphFile, locateModelFiles } from '../../src/runtime/model-files.js';
import { encodeVarint } from '../../src/runtime/protobuf-wire.js';
import { repoRoot, scratchDir, sharedVideo } from '../helpers/paths.js';

const varint = (value: number): Buffer => Buffer.from(encodeVarint(value));
const tag = (field: number, wireType: number): Buffer => varint(field * 8 + wireType);
const bytesField = (field: number, payload: Buffer | string): Buffer => {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return Buffer.concat([tag(field, 2), varint(data.length), data]);
};
const varintField = (field: number, value: number): Buffer => Buffer.concat([tag(field, 0), varint(value)]);

/** A ModelProto whose graph has one float initializer of `dims` stored as external data with `entries`. */
function craftedGraph(dims: readonly number[], entries: Record<string, string>): Buffer {
  const external = Object.entries(entries).map(([key, value]) =>
    bytesField(13, Buffer.concat([bytesField(1, key), bytesField(2, value)])),
  );
  const tensor = Buffer.concat([
    ...dims.map((dim) => varintField(1, dim)),
    varintField(2, 1),
    bytesField(8, 'weight'),
    ...external,
    varintField(14, 1),
  ]);
  const graph = Buffer.concat([bytesField(2, 'crafted'), bytesField(5, tensor)]);
  return Buffer.concat([varintField(1, 8), bytesField(8, varintField(2, 17)), bytesField(7, graph)]);
}

function expectModelError(action: () => unknown, pattern: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof ModelLoadError, `expected ModelLoadError, got ${String(error)}`);
    assert.equal(error.exitCode, 8);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes('\n'));
    return true;
  });
}

describe('model files as untrusted input', () => {
  const root = scratchDir('model-files');
  const onnx = join(root, 'onnx');
  mkdirSync(onnx);
  writeFileSync(join(onnx, 'weights.bin'), Buffer.alloc(4000));
  writeFileSync(join(root, 'secret.bin'), Buffer.alloc(4000));
  const outside = scratchDir('model-files-outside');
  writeFileSync(join(outside, 'passwd'), Buffer.alloc(4000));
  symlinkSync(join(outside, 'passwd'), join(onnx, 'link.bin'));
  const write = (name: string, graph: Buffer): string => {
    const path = join(onnx, name);
    writeFileSync(path, graph);
    return path;
  };

  it('accepts external data that fits', () => {
    checkGraphFile(
      write('good.onnx', craftedGraph([1000], { location: 'weights.bin', offset: '0', length: '4000' })),
      root,
    );
    checkGraphFile(
      write('good-no-length.onnx', craftedGraph([10, 10], { location: 'weights.bin', offset: '3600' })),
      root,
    );
  });

  it('keeps external-data paths inside the model folder', () => {
    expectModelError(
      () =>
        checkGraphFile(
          write('traversal.onnx', craftedGraph([10], { location: `../../${outside.split('/').pop()}/passwd` })),
          root,
        ),
      /points outside the model directory/,
    );
    expectModelError(
      () => checkGraphFile(write('absolute.onnx', craftedGraph([10], { location: join(outside, 'passwd') })), root),
      /is absolute/,
    );
    expectModelError(
      () => checkGraphFile(write('link.onnx', craftedGraph([10], { location: 'link.bin' })), root),
      /through a link/,
    );
    expectModelError(
      () => checkGraphFile(write('missing.onnx', craftedGraph([10], { location: 'nothing.bin' })), root),
      /missing/,
    );
    // Inside the model folder but above onnx/: allowed (the hub layout keeps data next to graphs, but the root is the boundary).
    checkGraphFile(write('root-data.onnx', craftedGraph([10], { location: '../secret.bin' })), root);
  });

  it('refuses external data that exceeds what its file has', () => {
    expectModelError(
      () =>
        checkGraphFile(
          write('long.onnx', craftedGraph([2000], { location: 'weights.bin', offset: '0', length: '8000' })),
          root,
        ),
      /lists bytes 0\.\.8000 but the file has 4000 bytes/,
    );
    expectModelError(
      () => checkGraphFile(write('offset.onnx', craftedGraph([10], { location: 'weights.bin', offset: '5000' })), root),
      /offset 5000 is past the end/,
    );
    expectModelError(
      () => checkGraphFile(write('shape.onnx', craftedGraph([100_000, 1000], { location: 'weights.bin' })), root),
      /shape \[100000, 1000\] needs 400000000 bytes but external data 'weights.bin' lists 4000/,
    );
    assert.equal(tensorBytes({ dims: [3, 5], dataType: 10 }), 30);
  });

  it('caps the memory of a model load: VIDTOK_MODEL_MEMORY_LIMIT', () => {
    assert.equal(modelMemoryLimitBytes({ VIDTOK_MODEL_MEMORY_LIMIT: '2K' }), 2048);
    assert.equal(modelMemoryLimitBytes({ VIDTOK_MODEL_MEMORY_LIMIT: '1.5G' }), 1.5 * 2 ** 30);
    assert.ok(modelMemoryLimitBytes({}) > 0);
    expectModelError(() => modelMemoryLimitBytes({ VIDTOK_MODEL_MEMORY_LIMIT: 'lots' }), /not a size/);
    const graph = write('sized.onnx', craftedGraph([1000], { location: 'weights.bin', length: '4000' }));
    assert.ok(checkModelMemory(root, [graph], { VIDTOK_MODEL_MEMORY_LIMIT: '1M' }) >= 4000);
    expectModelError(
      () => checkModelMemory(root, [graph], { VIDTOK_MODEL_MEMORY_LIMIT: '2K' }),
      /weights need 0\.00 GiB, over the limit of 0\.00 GiB \(set VIDTOK_MODEL_MEMORY_LIMIT/,
    );
  });

  it('a real model over the cap fails before loading, in the API and the CLI (exit 8)', async () => {
    const model = join(scratchDir('model-cap'), 'smolvlm2-tiny');
    cpSync(join(repoRoot, 'test', 'fixtures', 'models', 'smolvlm2-tiny'), model, { recursive: true });
    const saved = process.env.VIDTOK_MODEL_MEMORY_LIMIT;
    process.env.VIDTOK_MODEL_MEMORY_LIMIT = '64K';
    try {
      expectModelError(() => locateModelFiles(model), /weights need .* over the limit/);
    } finally {
      if (saved === undefined) delete process.env.VIDTOK_MODEL_MEMORY_LIMIT;
      else process.env.VIDTOK_MODEL_MEMORY_LIMIT = saved;
    }
    locateModelFiles(model); // under the default cap it loads
    const result = await new Promise<{ code: number | null; stderr: string }>((resolvePromise, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', 'ask', sharedVideo('yoga.mp4'), 'What happens?', '-m', model],
        {
          cwd: repoRoot,
          env: { ...process.env, VIDTOK_MODEL_MEMORY_LIMIT: '64K' },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolvePromise({ code, stderr }));
    });
    assert.equal(result.code, 8, result.stderr);
    assert.match(result.stderr, /over the limit of .*VIDTOK_MODEL_MEMORY_LIMIT/);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  });
});

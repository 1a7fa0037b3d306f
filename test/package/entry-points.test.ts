/**
 * @file The package's entry points: `vidtok` (src/index.ts) and the CLI's command registry load none of the heavy
 * packages (onnxruntime, BullMQ, ioredis, the hub client, prom-client), the runtime subpath does load onnxruntime (so the check can fail), every
 * `exports` subpath of package.json has its source entry and types, and a model encoder spec still resolves through
 * the light entry (the ONNX factory is imported on demand).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { heavyPackagesLoaded, loadedModules } from '../helpers/loaded-modules.js';
import { repoRoot } from '../helpers/paths.js';

test('importing vidtok (src/index.ts) loads no heavy package', () => {
  const { loaded, importMilliseconds } = loadedModules(join(repoRoot, 'src', 'index.ts'), { tsx: true });
  assert.ok(
    loaded.some((entry) => entry.endsWith('/src/ingest/probe.ts')),
    'the hook saw the entry point load probe',
  );
  assert.deepEqual(heavyPackagesLoaded(loaded), []);
  assert.deepEqual(
    loaded.filter((entry) => /\/src\/(runtime|jobs|narration|serve|hub|uses)\//.test(entry)),
    [],
    'no heavy source folder is loaded',
  );
  process.stderr.write(`import of src/index.ts through tsx: ${importMilliseconds.toFixed(0)} ms\n`);
});

test('the CLI command registry loads no heavy package (each command imports what it runs)', () => {
  const { loaded, importMilliseconds } = loadedModules(join(repoRoot, 'src', 'cli', 'commands', 'index.ts'), {
    tsx: true,
  });
  assert.ok(
    loaded.some((entry) => entry.endsWith('/src/cli/commands/models.ts')),
    'the hook saw the registry load',
  );
  assert.deepEqual(heavyPackagesLoaded(loaded), []);
  process.stderr.write(`import of the CLI command registry through tsx: ${importMilliseconds.toFixed(0)} ms\n`);
});

test('importing vidtok/runtime loads onnxruntime-node (the check sees heavy packages)', () => {
  const { loaded } = loadedModules(join(repoRoot, 'src', 'runtime', 'index.ts'), { tsx: true });
  assert.ok(heavyPackagesLoaded(loaded).includes('onnxruntime-node'));
});

test('importing vidtok/jobs loads bullmq and ioredis', () => {
  const { loaded } = loadedModules(join(repoRoot, 'src', 'jobs', 'index.ts'), { tsx: true });
  const heavy = heavyPackagesLoaded(loaded);
  assert.ok(heavy.includes('bullmq') && heavy.includes('ioredis'), heavy.join(', '));
});

test('every exports subpath has its source entry, and dist paths and types match', () => {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { types: string; import: string }>;
  };
  const subpaths = Object.keys(manifest.exports).filter((key) => key !== './package.json');
  assert.deepEqual(subpaths.sort(), ['.', './hub', './jobs', './narration', './runtime', './serve', './uses']);
  for (const key of subpaths) {
    const entry = manifest.exports[key];
    assert.ok(typeof entry === 'object', key);
    const folder = key === '.' ? '' : `${key.slice(2)}/`;
    assert.equal(entry.import, `./dist/${folder}index.js`, key);
    assert.equal(entry.types, `./dist/${folder}index.d.ts`, key);
    assert.ok(existsSync(join(repoRoot, 'src', folder, 'index.ts')), `src/${folder}index.ts exists`);
  }
});

test('a model directory given to resolveEncoder from the light entry loads the model on demand', async () => {
  const { resolveEncoder } = await import('../../src/index.js');
  const encoder = await resolveEncoder(join(repoRoot, 'test', 'fixtures', 'models', 'smolvlm2-tiny'));
  try {
    assert.ok(encoder.grid.h > 0 && encoder.grid.w > 0, 'the model encoder reports its token grid');
    assert.equal(typeof encoder.embedText, 'function', 'a model encoder, not the pixels one');
  } finally {
    await encoder.dispose?.();
  }
  await assert.rejects(
    resolveEncoder('no-such-encoder-spec'),
    (error: Error) => error.name === 'ModelNotFoundError' && /onnx-model/.test(error.message),
  );
});

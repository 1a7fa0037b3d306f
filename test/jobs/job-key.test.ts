/**
 * @file Job keys: streamed content hash, canonical parameters, and what changes a key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, computeJobKey, hashFile, jobKey } from '../../src/jobs/index.js';
import { InputNotFoundError } from '../../src/errors/index.js';
import { scratchDir, sharedVideo } from '../helpers/paths.js';

const parameters = { pipeline: 'uniform@1', model: 'smolvlm2-256m@abc', parameters: { prompt: 'Describe.', fps: 1 } };

test('hashFile streams the same digest as hashing the whole buffer', async () => {
  const video = sharedVideo('boat.mp4');
  assert.equal(await hashFile(video), createHash('sha256').update(readFileSync(video)).digest('hex'));
});

test('same content and parameters give the same key, wherever the file is', async () => {
  const directory = scratchDir('key');
  const copy = join(directory, 'renamed.mp4');
  copyFileSync(sharedVideo('yoga.mp4'), copy);
  const original = await computeJobKey(sharedVideo('yoga.mp4'), parameters);
  const copied = await computeJobKey(copy, parameters);
  assert.equal(copied.key, original.key);
  assert.match(original.key, /^[0-9a-f]{64}$/);
});

test('changed content, pipeline, model or any parameter gives a new key; parameter order does not', async () => {
  const directory = scratchDir('key');
  const file = join(directory, 'a.mp4');
  writeFileSync(file, 'content one');
  const base = (await computeJobKey(file, parameters)).key;
  writeFileSync(file, 'content two');
  assert.notEqual((await computeJobKey(file, parameters)).key, base);
  const content = createHash('sha256').update('content one').digest('hex');
  assert.equal(jobKey(content, parameters), base);
  assert.notEqual(jobKey(content, { ...parameters, pipeline: 'uniform@2' }), base);
  assert.notEqual(jobKey(content, { ...parameters, model: 'other' }), base);
  assert.notEqual(jobKey(content, { ...parameters, parameters: { prompt: 'Describe.', fps: 2 } }), base);
  assert.notEqual(
    jobKey(content, { ...parameters, parameters: { ...parameters.parameters, chunking: { mode: 'scenes' } } }),
    base,
  );
  assert.equal(jobKey(content, { ...parameters, parameters: { fps: 1, prompt: 'Describe.' } }), base);
});

test('canonical JSON sorts keys at every level and rejects non-finite numbers', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } }),
    '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}',
  );
  assert.throws(() => canonicalJson({ x: Number.NaN }));
});

test('a missing file is an InputNotFoundError naming it', async () => {
  await assert.rejects(hashFile('/nonexistent/clip.mp4'), (error: unknown) => {
    assert.ok(error instanceof InputNotFoundError);
    assert.match(error.message, /\/nonexistent\/clip\.mp4: no such file/);
    return true;
  });
});

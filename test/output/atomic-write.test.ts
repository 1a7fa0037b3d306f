/**
 * @file Atomic writes: complete content, no temporary files left, nothing partial or replaced on failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/output/index.js';
import { AbortedError } from '../../src/errors/index.js';
import { scratchDir } from '../helpers/paths.js';

test('writes the full content and leaves no temporary file', async () => {
  const directory = scratchDir('atomic');
  const target = join(directory, 'out.txt');
  const big = 'x'.repeat(3 * 1024 * 1024);
  await writeFileAtomic(target, big);
  assert.equal(readFileSync(target, 'utf8').length, big.length);
  await writeFileAtomic(target, 'replaced');
  assert.equal(readFileSync(target, 'utf8'), 'replaced');
  assert.deepEqual(readdirSync(directory), ['out.txt']);
});

test('an aborted write keeps the previous file and removes its temporary file', async () => {
  const directory = scratchDir('atomic');
  const target = join(directory, 'keep.txt');
  writeFileSync(target, 'old');
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(writeFileAtomic(target, 'new', { signal: controller.signal }), AbortedError);
  assert.equal(readFileSync(target, 'utf8'), 'old');
  assert.deepEqual(readdirSync(directory), ['keep.txt']);
});

test('a failing rename (destination is a directory) leaves no partial file behind', async () => {
  const directory = scratchDir('atomic');
  const blocked = join(directory, 'blocked');
  writeFileSync(join(directory, 'sentinel'), 's');
  mkdirSync(blocked);
  writeFileSync(join(blocked, 'inner'), 'i');
  await assert.rejects(writeFileAtomic(blocked, 'data'));
  assert.deepEqual(readdirSync(directory).sort(), ['blocked', 'sentinel']);
});

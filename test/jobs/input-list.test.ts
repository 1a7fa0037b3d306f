/**
 * @file Input expansion: files, directories (sorted, filtered, recursive), @lists with comments, failures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandInputs } from '../../src/jobs/index.js';
import { scratchDir } from '../helpers/paths.js';

function tree(): string {
  const root = scratchDir('inputs');
  mkdirSync(join(root, 'dir', 'nested'), { recursive: true });
  for (const name of ['b.mp4', 'a.MKV', 'notes.txt', '.hidden.mp4', 'c.webm'])
    writeFileSync(join(root, 'dir', name), 'x');
  writeFileSync(join(root, 'dir', 'nested', 'deep.mov'), 'x');
  writeFileSync(join(root, 'single.bin'), 'x');
  return root;
}

test('a directory gives its video files sorted, non-recursive by default', async () => {
  const root = tree();
  const result = await expandInputs(['dir'], { cwd: root });
  assert.deepEqual(
    result.files,
    ['a.MKV', 'b.mp4', 'c.webm'].map((name) => join(root, 'dir', name)),
  );
  assert.deepEqual(result.failures, []);
  const recursive = await expandInputs(['dir'], { cwd: root, recursive: true });
  assert.deepEqual(recursive.files.at(-1), join(root, 'dir', 'nested', 'deep.mov'));
  assert.equal(recursive.files.length, 4);
});

test('a named file is taken whatever its extension; duplicates collapse', async () => {
  const root = tree();
  const result = await expandInputs(['single.bin', join(root, 'single.bin'), 'dir/b.mp4', 'dir'], { cwd: root });
  assert.deepEqual(result.files, [
    join(root, 'single.bin'),
    join(root, 'dir', 'b.mp4'),
    join(root, 'dir', 'a.MKV'),
    join(root, 'dir', 'c.webm'),
  ]);
});

test('@list: one path per line relative to the list, # comments and blanks ignored, missing entries reported', async () => {
  const root = tree();
  writeFileSync(join(root, 'list.txt'), '# my batch\n\ndir/b.mp4\n  single.bin  \nmissing.mp4\r\n# dir/c.webm\n');
  const result = await expandInputs(['@list.txt', 'gone.mp4', '@nolist.txt'], { cwd: root });
  assert.deepEqual(result.files, [join(root, 'dir', 'b.mp4'), join(root, 'single.bin')]);
  assert.deepEqual(result.failures, [
    { input: '@list.txt: missing.mp4', reason: 'no such file or directory' },
    { input: 'gone.mp4', reason: 'no such file or directory' },
    { input: '@nolist.txt', reason: 'list file: no such file or directory' },
  ]);
});

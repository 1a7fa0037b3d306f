/**
 * @file src/ has no import cycles (type imports, re-exports and literal dynamic imports count), and the detector
 * finds one when there is one (a two-file cycle written to a scratch folder).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { findImportCycles } from '../../scripts/import-cycles.js';
import { repoRoot, scratchDir } from '../helpers/paths.js';

test('src/ has no import cycles', () => {
  assert.deepEqual(findImportCycles(join(repoRoot, 'src')), []);
});

test('the detector reports a type-only cycle and a dynamic-import cycle', () => {
  const root = scratchDir('cycles');
  mkdirSync(join(root, 'a'));
  writeFileSync(join(root, 'a', 'one.ts'), "import type { Two } from './two.js';\nexport type One = Two;\n");
  writeFileSync(join(root, 'a', 'two.ts'), "export type { One as Two } from './one.js';\n");
  writeFileSync(join(root, 'three.ts'), "export const load = () => import('./four.js');\n");
  writeFileSync(join(root, 'four.ts'), "// import './nothing.js' in a comment does not count\nimport './three.js';\n");
  writeFileSync(join(root, 'five.ts'), "import { load } from './three.js';\nexport const five = load;\n");
  const cycles = findImportCycles(root)
    .map((cycle) => cycle.join(' -> '))
    .sort();
  assert.deepEqual(cycles, ['a/one.ts -> a/two.ts -> a/one.ts', 'four.ts -> three.ts -> four.ts']);
});

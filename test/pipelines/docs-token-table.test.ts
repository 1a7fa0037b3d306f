/**
 * @file docs/pipelines.md's tokens-per-pipeline x model-family table is the one the code generates
 * (scripts/pipeline-token-table.ts): a pipeline or geometry change that alters a count fails here until the doc is
 * regenerated with `npm run docs:tables`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { documentWithTable } from '../../scripts/pipeline-token-table.js';
import { repoRoot } from '../helpers/paths.js';

test('the token table in docs/pipelines.md matches the code', async () => {
  const markdown = readFileSync(join(repoRoot, 'docs', 'pipelines.md'), 'utf8');
  assert.equal(markdown, await documentWithTable(markdown), 'docs/pipelines.md is stale: run npm run docs:tables');
  assert.match(markdown, /\| `pllava` \| 256 \/ 256 \| 256 \/ 256 \| 784 \/ 784 \| 2304 \/ 2304 \|/);
});

/**
 * @file The pipeline file example in docs/pipelines.md stays runnable: it parses, builds with the pixels encoder to
 * the token count the doc states, and runs on synthetic frames.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { visualTokenCount } from '../../src/core/token-stream.js';
import { createPixelsEncoder } from '../../src/encoders/index.js';
import { buildGraph } from '../../src/graph/build-graph.js';
import { parsePipelineText } from '../../src/graph/pipeline-file.js';
import { runGraph } from '../../src/graph/run-graph.js';
import { repoRoot } from '../helpers/paths.js';
import { syntheticFrames } from '../graph/synthetic-frames.js';

test('the documented pipeline file builds to 16*64 + 576 = 1600 tokens and runs', async () => {
  const markdown = readFileSync(join(repoRoot, 'docs', 'pipelines.md'), 'utf8');
  const yaml = /```yaml\n([\s\S]*?)```/.exec(markdown)?.[1];
  assert.ok(yaml, 'docs/pipelines.md has a yaml example');
  const definition = parsePipelineText(yaml, 'docs-example.yaml');
  const encoder = createPixelsEncoder();
  const graph = buildGraph(definition, { encoder, source: { count: 16, width: 336, height: 336 } });
  assert.equal(graph.tokenCount, 1600);
  assert.match(markdown, /16·64 \+ 576 = 1600 tokens/);
  const result = await runGraph(graph, syntheticFrames(16), { encoder });
  assert.equal(visualTokenCount(result.stream), 1600);
  const last = result.stream.segments.at(-1);
  assert.equal(last?.type === 'visual' ? last.role : last?.type, 'grid');
});

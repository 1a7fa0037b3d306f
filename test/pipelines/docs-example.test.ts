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
import { repoRoot, sharedVideo } from '../helpers/paths.js';
import { runPipeline } from '../../src/pipeline/run-pipeline.js';
import { syntheticFrames } from '../graph/synthetic-frames.js';

test('the documented pipeline file builds to 16*64 + 576 = 1600 tokens and runs', async () => {
  const markdown = readFileSync(join(repoRoot, 'docs', 'pipelines.md'), 'utf8');
  const yaml = [...markdown.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((match) => match[1]!)
    .find((block) => block.includes('name: pooled-plus-grid'));
  assert.ok(yaml, 'docs/pipelines.md has the pooled-plus-grid yaml example');
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

test('the documented select-then-pool pipeline samples the whole video and pools only the kept frames', async () => {
  const markdown = readFileSync(join(repoRoot, 'docs', 'pipelines.md'), 'utf8');
  const yaml = [...markdown.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((match) => match[1]!)
    .find((block) => block.includes('name: select-then-pool'));
  assert.ok(yaml, 'docs/pipelines.md has the select-then-pool example');
  const definition = parsePipelineText(yaml, 'select-then-pool.yaml');
  const result = await runPipeline(sharedVideo('skateboarding_dog.mp4'), { pipeline: definition, encoder: 'pixels' });
  // 1 fps over all 14 s: the middle frame of every second is decoded, from the first second to the last.
  assert.equal(result.frames.length, 14);
  assert.ok(result.frames[0]!.pts < 1 && result.frames.at(-1)!.pts > 13, 'frames span the whole video');
  const kept = result.notes['select.keptFrames'] as number;
  assert.equal(visualTokenCount(result), kept * 12 * 12);
  assert.ok(visualTokenCount(result) <= result.plan.tokens && result.plan.tokens <= result.plan.budget);
});

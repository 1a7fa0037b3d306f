/**
 * @file Pipeline files: schema and stage-parameter errors are PipelineConfigErrors whose `field` is a JSON pointer to
 * the offending field; YAML and JSON both load; stage defaults are applied; built-in names and user paths resolve.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PipelineConfigError } from '../../src/errors/index.js';
import { loadPipelineFile, parsePipelineText, validatePipelineDefinition } from '../../src/graph/pipeline-file.js';
import { builtInPipelinesDirectory, listBuiltInPipelines, resolvePipeline } from '../../src/graph/pipeline-registry.js';
import { repoRoot, scratchDir } from '../helpers/paths.js';

// A raw document, not `testPipeline`: these tests feed it, and broken copies of it, to the validator themselves.
const valid = {
  name: 'mine',
  description: 'a custom pipeline',
  version: 1,
  budget: 3000,
  frames: { count: 16, rule: 'pllava_eval' },
  stages: [
    { id: 'encode', use: 'encode' },
    { id: 'pool', use: 'pllava', params: { shape: [16, 12, 12] } },
  ],
  output: 'pool',
};

// biome-ignore lint/suspicious/noExplicitAny: tests mutate arbitrary fields of a pipeline document
type MutableDocument = Record<string, any>;

function withChange(change: (document: MutableDocument) => void): Record<string, unknown> {
  const document = structuredClone(valid) as MutableDocument;
  change(document);
  return document;
}

function fieldError(field: string, pattern?: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof PipelineConfigError, `expected PipelineConfigError, got ${String(error)}`);
    assert.equal(error.field, field);
    if (pattern) assert.match(error.message, pattern);
    assert.ok(!error.message.includes('\n'), 'one-line message');
    return true;
  };
}

test('a valid definition loads with stage defaults applied', () => {
  const definition = validatePipelineDefinition(valid, 'mine.yaml');
  assert.equal(definition.onOverBudget, 'fail');
  assert.deepEqual(definition.stages[0]!.params, { batchSize: 8 });
  assert.deepEqual(definition.stages[1]!.params, { frames: 16, spatialFactor: 0.5, shape: [16, 12, 12] });
  assert.equal(definition.source, 'mine.yaml');
});

test('schema errors point at the field', () => {
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [withChange((d) => delete d.name), '/name', /is required/],
    [withChange((d) => (d.budget = -5)), '/budget', />= 1/],
    [withChange((d) => (d.stages[1].colour = 'red')), '/stages/1/colour', /unknown field/],
    [withChange((d) => (d.frames = { count: 8 })), '/frames', /exactly one of/],
    [withChange((d) => (d.frames = { count: 8, rule: 'nearest' })), '/frames/rule', /must be one of/],
    [withChange((d) => (d.onOverBudget = 'shrug')), '/onOverBudget', /fail.*reduce-frames/],
    [withChange((d) => (d.stages[1].inputs = 42)), '/stages/1/inputs', /stage id/],
  ];
  for (const [document, field, pattern] of cases)
    assert.throws(() => validatePipelineDefinition(document, 'bad.yaml'), fieldError(field, pattern));
});

test('stage parameters are validated against the stage schema, with the pointer inside params', () => {
  assert.throws(
    () =>
      validatePipelineDefinition(
        withChange((d) => (d.stages[1].params.shape = [16, 12])),
        'bad.yaml',
      ),
    fieldError('/stages/1/params/shape', /fewer than 3 items/),
  );
  assert.throws(
    () =>
      validatePipelineDefinition(
        withChange((d) => (d.stages[1].params = { shape: [16, 12, 12], mode: 'max' })),
        'bad.yaml',
      ),
    fieldError('/stages/1/params/mode', /unknown field/),
  );
  assert.throws(
    () =>
      validatePipelineDefinition(
        withChange((d) => (d.stages[0].params = { batchSize: 0 })),
        'bad.yaml',
      ),
    fieldError('/stages/0/params/batchSize'),
  );
});

test('unknown stages, dangling references, duplicate ids and a missing output point at their field', () => {
  assert.throws(
    () =>
      validatePipelineDefinition(
        withChange((d) => (d.stages[1].use = 'magic')),
        'bad.yaml',
      ),
    fieldError('/stages/1/use', /unknown stage 'magic' \(known: .*pllava/),
  );
  assert.throws(
    () =>
      validatePipelineDefinition(
        withChange((d) => (d.stages[1].inputs = { in: 'nowhere' })),
        'bad.yaml',
      ),
    fieldError('/stages/1/inputs/in', /unknown stage 'nowhere'/),
  );
  assert.throws(
    () =>
      validatePipelineDefinition(
        withChange((d) => (d.stages[1].id = 'encode')),
        'bad.yaml',
      ),
    fieldError('/stages/1/id', /duplicate/),
  );
  assert.throws(
    () =>
      validatePipelineDefinition(
        withChange((d) => (d.stages[0].id = 'frames')),
        'bad.yaml',
      ),
    fieldError('/stages/0/id', /reserved/),
  );
  assert.throws(
    () =>
      validatePipelineDefinition(
        withChange((d) => (d.output = 'poll')),
        'bad.yaml',
      ),
    fieldError('/output', /names no stage/),
  );
});

test('YAML syntax errors and unreadable files name the file', async () => {
  assert.throws(
    () => parsePipelineText('name: [unclosed\n', 'broken.yaml'),
    (error: unknown) =>
      error instanceof PipelineConfigError && /broken\.yaml/.test(error.message) && /invalid YAML/.test(error.message),
  );
  assert.throws(
    () => parsePipelineText('{"name": ', 'broken.json'),
    (error: unknown) => error instanceof PipelineConfigError && /invalid JSON/.test(error.message),
  );
  await assert.rejects(
    loadPipelineFile('/nonexistent/pipeline.yaml'),
    (error: unknown) => error instanceof PipelineConfigError && /ENOENT/.test(error.message),
  );
});

test('user pipelines load from YAML or JSON paths; built-ins by name; unknown names list the built-ins', async () => {
  const directory = scratchDir('pipeline-file');
  const yamlPath = join(directory, 'mine.yaml');
  writeFileSync(
    yamlPath,
    `# comment\nname: mine\ndescription: custom\nversion: 1\nbudget: 100\nframes: {count: 4, rule: igvlm}\nstages:\n  - {id: encode, use: encode}\n  - {id: tokens, use: uniform}\noutput: tokens\n`,
  );
  const jsonPath = join(directory, 'mine.json');
  writeFileSync(jsonPath, JSON.stringify(valid));
  assert.equal((await resolvePipeline(yamlPath)).name, 'mine');
  assert.equal((await resolvePipeline(jsonPath)).budget, 3000);
  assert.deepEqual((await resolvePipeline('ts-llava')).budget, { frameTokens: 5, tileTokens: 1 });
  await assert.rejects(
    resolvePipeline('no-such-pipeline'),
    (error: unknown) => error instanceof PipelineConfigError && /built-in: .*slowfast-llava/.test(error.message),
  );
});

test('the built-in pipelines folder is the package root pipelines/ and every file in it is valid', async () => {
  assert.equal(builtInPipelinesDirectory(), join(repoRoot, 'pipelines'));
  const pipelines = await listBuiltInPipelines();
  assert.deepEqual(
    pipelines.map((pipeline) => pipeline.name),
    [
      'b-vllm',
      'b-vllm-pllava',
      'b-vllm-prefilter',
      'ig-vlm',
      'pllava',
      'scenetilling',
      'slowfast-llava',
      'ts-llava',
      'uniform',
    ],
  );
  for (const pipeline of pipelines) {
    assert.ok(pipeline.description.length > 10);
    assert.ok(pipeline.source.endsWith(`${pipeline.name}.yaml`), 'file named after the pipeline');
  }
});

/**
 * @file `vidtok inspect` as a command: report and PNG figures written atomically (no temporary leftovers, existing
 * files in the figures folder kept), a text summary on stdout, typed errors for bad usage, a missing input and an
 * unknown pipeline, with nothing written.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { CommandContext } from '../../src/cli/command.js';
import { inspectCommand, parsePipelineList } from '../../src/cli/commands/inspect.js';
import { ExitCode, VidtokError } from '../../src/errors/index.js';
import { scratchDir, sharedVideo } from '../helpers/paths.js';
import { readPng } from './png-reader.js';

function context(): { context: CommandContext; output: () => string } {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const stderr = new PassThrough();
  stderr.resume();
  return {
    context: { signal: new AbortController().signal, verbose: false, stdout, stderr, interactive: false },
    output: () => text,
  };
}

const defaults = { quality: 5, json: false } as const;

test('writes the report and the PNG figures, atomically, and prints a summary', async () => {
  const directory = scratchDir('inspect-cli');
  const out = join(directory, 'nested', 'report.html');
  const figures = join(directory, 'figures');
  const { context: commandContext, output } = context();
  const code = await inspectCommand.run(
    { ...defaults, video: sharedVideo('boat.mp4'), out, pipelines: 'uniform,ig-vlm', png: figures },
    commandContext,
  );
  assert.equal(code, ExitCode.ok);
  const html = readFileSync(out, 'utf8');
  assert.ok(html.startsWith('<!DOCTYPE html>'));
  assert.match(output(), /report written to .*report\.html \(\d+ KiB\)/);
  assert.match(output(), /uniform: 4608 tokens of 4608 from 8 frames/);
  assert.match(output(), /ig-vlm: 576 tokens of 576 from 6 frames/);
  const written = readdirSync(figures).sort();
  assert.deepEqual(written, [
    'budget.png',
    'ig-vlm-built-image.png',
    'ig-vlm-frames.png',
    'ig-vlm-model-input.png',
    'scene-curves.png',
    'timeline.png',
    'uniform-frames.png',
    'uniform-model-input.png',
  ]);
  for (const name of written) readPng(readFileSync(join(figures, name)));
  // No temporary files or folders are left next to the outputs.
  assert.deepEqual(readdirSync(directory).sort(), ['figures', 'nested']);
  assert.deepEqual(readdirSync(join(directory, 'nested')), ['report.html']);

  // A second run into the existing folder keeps unrelated files; --json prints a machine-readable summary.
  writeFileSync(join(figures, 'notes.txt'), 'mine');
  const second = context();
  assert.equal(
    await inspectCommand.run(
      { ...defaults, json: true, video: sharedVideo('boat.mp4'), out, pipelines: 'uniform', png: figures },
      second.context,
    ),
    ExitCode.ok,
  );
  assert.equal(readFileSync(join(figures, 'notes.txt'), 'utf8'), 'mine');
  const summary = JSON.parse(second.output()) as {
    bytes: number;
    figures: string[];
    summary: { pipelines: { name: string; totalTokens: number }[] };
  };
  assert.equal(summary.bytes, Buffer.byteLength(readFileSync(out, 'utf8')));
  assert.deepEqual(
    summary.summary.pipelines.map((pipeline) => [pipeline.name, pipeline.totalTokens]),
    [['uniform', 4608]],
  );
  assert.ok(summary.figures.every((file) => existsSync(file)));
  assert.deepEqual(readdirSync(directory).sort(), ['figures', 'nested']);
});

test('bad usage, a missing input and an unknown pipeline fail with typed errors and write nothing', async () => {
  const directory = scratchDir('inspect-cli-errors');
  const out = join(directory, 'report.html');
  const run = (args: Record<string, unknown>) =>
    inspectCommand.run(
      { ...defaults, video: sharedVideo('boat.mp4'), out, ...args } as Parameters<typeof inspectCommand.run>[0],
      context().context,
    );
  const exitCodeOf = (expected: number) => (error: unknown) =>
    VidtokError.isInstance(error) && error.exitCode === expected;
  await assert.rejects(
    run({ video: join(directory, 'missing.mp4'), pipelines: 'uniform' }),
    exitCodeOf(ExitCode.inputNotFound),
  );
  await assert.rejects(run({ pipelines: 'uniform,no-such-pipeline' }), exitCodeOf(ExitCode.configError));
  await assert.rejects(run({ pipelines: ' , ' }), exitCodeOf(ExitCode.usage));
  await assert.rejects(run({ video: '-', pipelines: 'uniform' }), exitCodeOf(ExitCode.usage));
  await assert.rejects(run({ video: 'rtsp://camera.local/stream', pipelines: 'uniform' }), exitCodeOf(ExitCode.usage));
  await assert.rejects(run({ pipelines: 'uniform', quality: 40 }), exitCodeOf(ExitCode.usage));
  mkdirSync(join(directory, 'afile-parent'));
  writeFileSync(join(directory, 'afile-parent', 'afile'), 'x');
  await assert.rejects(
    run({ pipelines: 'uniform', png: join(directory, 'afile-parent', 'afile') }),
    exitCodeOf(ExitCode.usage),
  );
  assert.deepEqual(readdirSync(join(directory, 'afile-parent')), ['afile']);
  assert.deepEqual(parsePipelineList('a, b,,c'), ['a', 'b', 'c']);
});

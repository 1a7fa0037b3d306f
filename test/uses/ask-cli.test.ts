/**
 * @file `vidtok ask` through the real CLI entry point: `--json` fields and their consistency, several questions from
 * `--questions` answered from one context, `--choices` formatting, and the documented exit codes — a missing model
 * (8, with the pull hint), a bad video (the code of the error src/ingest itself throws for it), a mismatching
 * forced encoder (9), usage errors (2); SIGINT during generation exits 130 and leaves no model process behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { VidtokError } from '../../src/errors/index.js';
import { probe } from '../../src/ingest/index.js';
import { childProcessIds, makeTextFile } from '../helpers/media.js';
import { repoRoot, scratchDir } from '../helpers/paths.js';
import { runVidtok, smolvlm2Fixture, yogaClip } from './use-fixtures.js';

const scratch = scratchDir('ask-cli');

test('ask --questions --json: every field present and consistent, the context shared by both answers', async () => {
  const questions = join(scratch, 'questions.txt');
  writeFileSync(questions, 'What is happening?\n\n# a comment line\nWhere is it?\n');
  const result = await runVidtok([
    'ask',
    yogaClip,
    '--questions',
    questions,
    '-m',
    smolvlm2Fixture,
    '--max-new-tokens',
    '3',
    '--json',
    '--choices',
    'yoga;cooking;boating',
  ]);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  assert.equal(report.pipeline.name, 'uniform');
  assert.equal(report.pipeline.encoder, 'smolvlm2');
  assert.ok(report.pipeline.params.tokens, 'pipeline parameters are listed');
  assert.equal(report.frames.length, 8);
  assert.ok(
    report.frames.every(
      (frame: { index: number; pts: number }) => Number.isInteger(frame.index) && frame.pts >= 0 && frame.pts < 10,
    ),
  );
  assert.equal(
    report.visualTokens,
    report.segments.reduce((sum: number, segment: { count: number }) => sum + segment.count, 0),
  );
  assert.ok(
    report.contextTokens > report.visualTokens,
    'the context holds the visual placeholders and the chat header',
  );
  assert.deepEqual(
    report.answers.map((answer: { question: string }) => answer.question),
    ['What is happening?', 'Where is it?'],
  );
  for (const answer of report.answers) {
    assert.equal(answer.reusedTokens, report.contextTokens);
    assert.ok(answer.prefilledTokens > 0 && answer.prefilledTokens < report.contextTokens);
    assert.match(
      answer.prompt,
      /\nOptions:\n\(A\) yoga\n\(B\) cooking\n\(C\) boating\nAnswer with the option's letter from the given choices directly\.$/,
    );
    for (const name of [
      'decodeMilliseconds',
      'encodeMilliseconds',
      'contextPrefillMilliseconds',
      'prefillMilliseconds',
      'timeToFirstTokenMilliseconds',
    ]) {
      assert.ok(answer.timings[name] > 0, `${name} > 0 (${answer.timings[name]})`);
    }
    assert.ok(answer.timings.compressMilliseconds >= 0 && answer.timings.generateMilliseconds >= 0);
  }
});

test('ask --stream prints the answer text on stdout, nothing else', async () => {
  const result = await runVidtok([
    'ask',
    yogaClip,
    'What?',
    '-m',
    smolvlm2Fixture,
    '--max-new-tokens',
    '3',
    '--stream',
    '--pipeline',
    'ig-vlm',
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.split('\n').length, 2, 'one line of answer and its newline');
  assert.ok(result.stdout.trim().length > 0);
});

test('a missing model exits 8 with the command that pulls it', async () => {
  const result = await runVidtok(['ask', yogaClip, 'What?'], {
    env: { VIDTOK_CACHE_DIR: join(scratch, 'empty-cache') },
  });
  assert.equal(result.code, 8, result.stderr);
  assert.match(result.stderr, /^vidtok: smolvlm2-256m: .*run: vidtok models pull smolvlm2-256m\n$/);
});

test('a bad video exits with the exit code of the error src/ingest raises for it', async () => {
  const bad = await makeTextFile(join(scratch, 'notes.mp4'));
  const expected = await probe(bad).then(
    () => assert.fail('probe accepted a text file'),
    (error: unknown) => {
      assert.ok(VidtokError.isInstance(error));
      return error.exitCode;
    },
  );
  const result = await runVidtok(['ask', bad, 'What?', '-m', smolvlm2Fixture]);
  assert.equal(result.code, expected, result.stderr);
  assert.equal(result.stderr.trim().split('\n').length, 1, 'one-line message');
  assert.ok(result.stderr.includes('notes.mp4'), 'the message names the input');
});

test('a forced encoder that does not fit the model exits 9; bad options exit 2', async () => {
  const encoder = await runVidtok(['ask', yogaClip, 'What?', '-m', smolvlm2Fixture, '--encoder', 'pixels']);
  assert.equal(encoder.code, 9, encoder.stderr);
  assert.match(encoder.stderr, /leave --encoder out/);
  const [choices, tokens, both] = await Promise.all([
    runVidtok(['ask', yogaClip, 'What?', '-m', smolvlm2Fixture, '--choices', 'only-one']),
    runVidtok(['ask', yogaClip, 'What?', '-m', smolvlm2Fixture, '--max-new-tokens', '0']),
    runVidtok(['ask', yogaClip, 'What?', '-m', smolvlm2Fixture, '--stream', '--json']),
  ]);
  assert.equal(choices.code, 2, choices.stderr);
  assert.match(choices.stderr, /--choices 'only-one': give at least two options/);
  assert.equal(tokens.code, 2, tokens.stderr);
  assert.match(tokens.stderr, /--max-new-tokens 0/);
  assert.equal(both.code, 2, both.stderr);
});

test('SIGINT while an answer streams exits 130 and the model runner process is gone', async () => {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'ask',
      yogaClip,
      'Go on.',
      '-m',
      smolvlm2Fixture,
      '--stream',
      '--max-new-tokens',
      '100000',
    ],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const exited = new Promise<number | null>((resolvePromise) => child.once('exit', (code) => resolvePromise(code)));
  const deadline = setTimeout(() => child.kill('SIGKILL'), 90_000);
  // The first streamed text means the model runner is up and generating.
  await new Promise<void>((resolvePromise) => child.stdout.once('data', () => resolvePromise()));
  const runners = childProcessIds(child.pid!);
  assert.ok(runners.length >= 1, 'the runner child process exists while generating');
  child.kill('SIGINT');
  const code = await exited;
  clearTimeout(deadline);
  assert.equal(code, 130, stderr);
  assert.match(stderr, /cancelled/);
  // The runner notices its parent is gone and exits; on a loaded machine that can take a few seconds.
  const until = Date.now() + 15_000;
  while (runners.some((pid) => existsSync(`/proc/${pid}`)) && Date.now() < until)
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
  for (const pid of runners) assert.ok(!existsSync(`/proc/${pid}`), `runner ${pid} was stopped, not orphaned`);
});

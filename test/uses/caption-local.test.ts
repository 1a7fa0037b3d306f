/**
 * @file `vidtok caption` in local mode through the real CLI: two real clips and one bad file give two complete sets
 * of outputs (jsonl, json, srt, vtt — each parsed back, chunk spans checked against the plan computed here from the
 * probed duration), a summary with the failure's reason and exit 10; a rerun skips both done videos without
 * touching their files; changing --chunk gives new job keys and redoes them. Scene chunking is checked on a clip
 * with one hard cut.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { probe } from '../../src/ingest/index.js';
import { captionVideo, planSceneChunks } from '../../src/uses/index.js';
import { makeTextFile, runFfmpeg } from '../helpers/media.js';
import { scratchDir } from '../helpers/paths.js';
import { parseSrt, parseVtt } from '../output/subtitle-parsers.js';
import { boatClip, runVidtok, smolvlm2Fixture, writeSmallPipeline, yogaClip } from './use-fixtures.js';

interface SummaryItem {
  input: string;
  status: string;
  key?: string;
  outputs?: string[];
  reason?: string;
}

interface Summary {
  total: number;
  done: number;
  skipped: number;
  failed: number;
  exitCode: number;
  items: SummaryItem[];
}

const scratch = scratchDir('caption-local');
const pipeline = writeSmallPipeline(scratch, 2);

function captionArguments(out: string, inputs: readonly string[], chunk: string): string[] {
  return [
    'caption',
    ...inputs,
    '--out',
    out,
    '-m',
    smolvlm2Fixture,
    '-p',
    pipeline,
    '--chunk',
    chunk,
    '--overlap',
    '1s',
    '--max-new-tokens',
    '3',
    '--json',
  ];
}

/** The fixed-chunk plan, written out here from its documented rule (start i*(c-o), end min(start+c, duration)). */
function expectedSpans(duration: number, chunk: number, overlap: number): { start: number; end: number }[] {
  const spans = [];
  for (let start = 0; ; start += chunk - overlap) {
    const end = Math.min(start + chunk, duration);
    spans.push({ start, end });
    if (end >= duration) return spans;
  }
}

function assertOutputs(item: SummaryItem, spans: { start: number; end: number }[]): void {
  const outputs = item.outputs ?? [];
  assert.deepEqual(outputs.map((path) => path.split('.').pop()).sort(), ['json', 'jsonl', 'srt', 'vtt']);
  const file = (extension: string): string =>
    readFileSync(outputs.find((path) => path.endsWith(`.${extension}`))!, 'utf8');
  const lines = file('jsonl')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as { start: number; end: number; text: string });
  const document = JSON.parse(file('json'));
  const srt = parseSrt(file('srt'));
  const vtt = parseVtt(file('vtt'));
  assert.equal(document.key, item.key);
  assert.equal(document.metadata.pipeline.name, 'uniform-2');
  for (const cues of [lines, document.captions, srt, vtt] as { start: number; end: number; text: string }[][]) {
    assert.equal(cues.length, spans.length, JSON.stringify(cues));
    cues.forEach((cue, at) => {
      assert.ok(Math.abs(cue.start - spans[at]!.start) < 0.0015, `start ${cue.start} vs ${spans[at]!.start}`);
      assert.ok(Math.abs(cue.end - spans[at]!.end) < 0.0015, `end ${cue.end} vs ${spans[at]!.end}`);
      assert.equal(cue.text, lines[at]!.text, 'every format carries the same caption');
    });
  }
  assert.ok(lines.every((line) => line.text.length > 0));
}

test('local batch: outputs in four formats, the bad file fails alone (exit 10), rerun skips, a new --chunk redoes', async () => {
  const out = join(scratch, 'out');
  const bad = await makeTextFile(join(scratch, 'broken.mp4'));
  const inputs = [yogaClip, boatClip, bad];
  const durations = new Map<string, number>();
  for (const clip of [yogaClip, boatClip]) durations.set(clip, (await probe(clip)).duration);

  const first = await runVidtok(captionArguments(out, inputs, '6s'));
  assert.equal(first.code, 10, first.stderr);
  const summary = JSON.parse(first.stdout) as Summary;
  assert.deepEqual([summary.total, summary.done, summary.skipped, summary.failed, summary.exitCode], [3, 2, 0, 1, 10]);
  const failed = summary.items.find((item) => item.status === 'failed')!;
  assert.equal(basename(failed.input), 'broken.mp4');
  assert.ok(failed.reason?.includes('broken.mp4'), failed.reason);
  for (const item of summary.items.filter((entry) => entry.status === 'done')) {
    assertOutputs(item, expectedSpans(durations.get(item.input)!, 6, 1));
  }
  // Progress goes to stderr as JSON lines when stderr is not a terminal.
  const events = first.stderr
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string });
  assert.equal(events.filter((event) => event.type === 'chunk').length, 4);
  assert.equal(events.at(-1)!.type, 'batch-end');

  const done = summary.items.filter((item) => item.status === 'done');
  const modified = done.flatMap((item) => item.outputs!.map((path) => statSync(path).mtimeMs));
  const again = await runVidtok(captionArguments(out, inputs, '6s'));
  assert.equal(again.code, 10, again.stderr);
  const rerun = JSON.parse(again.stdout) as Summary;
  assert.deepEqual([rerun.done, rerun.skipped, rerun.failed], [0, 2, 1]);
  assert.deepEqual(
    done.flatMap((item) => item.outputs!.map((path) => statSync(path).mtimeMs)),
    modified,
    'skipped videos are not rewritten',
  );

  const longer = await runVidtok(captionArguments(out, inputs, '20s'));
  assert.equal(longer.code, 10, longer.stderr);
  const redo = JSON.parse(longer.stdout) as Summary;
  assert.deepEqual([redo.done, redo.skipped, redo.failed], [2, 0, 1]);
  for (const item of redo.items.filter((entry) => entry.status === 'done')) {
    assert.ok(!done.some((previous) => previous.key === item.key), 'a new chunking is a new job key');
    assertOutputs(item, [{ start: 0, end: durations.get(item.input)! }]);
  }
});

test('--scenes cuts at the hard cut of a two-shot clip, and captionVideo captions each scene', async () => {
  const clip = join(scratch, 'two-shots.mp4');
  await runFfmpeg([
    '-f',
    'lavfi',
    '-i',
    'color=c=red:size=96x64:rate=25:duration=2',
    '-f',
    'lavfi',
    '-i',
    'smptebars=size=96x64:rate=25:duration=2',
    '-filter_complex',
    '[0:v][1:v]concat=n=2:v=1:a=0',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    `file:${clip}`,
  ]);
  const { chunks, duration } = await planSceneChunks(clip);
  assert.ok(Math.abs(duration - 4) < 0.05, `duration ${duration}`);
  assert.equal(chunks.length, 2, JSON.stringify(chunks));
  assert.equal(chunks[0]!.start, 0);
  assert.ok(Math.abs(chunks[0]!.end - 2) < 0.05, JSON.stringify(chunks));
  assert.equal(chunks[1]!.start, chunks[0]!.end);
  assert.equal(chunks[1]!.end, duration);

  const streamed: { start: number; end: number }[] = [];
  const result = await captionVideo(clip, {
    model: smolvlm2Fixture,
    pipeline,
    chunking: { mode: 'scenes' },
    maxNewTokens: 2,
    onChunk: (chunk) => streamed.push({ start: chunk.start, end: chunk.end }),
  });
  assert.deepEqual(
    result.chunks.map((chunk) => ({ start: chunk.start, end: chunk.end })),
    chunks,
  );
  assert.deepEqual(streamed, chunks);
  assert.deepEqual(result.metadata.chunking, { mode: 'scenes' });
  const details = result.metadata.chunks as { frames: number; visualTokens: number }[];
  assert.ok(
    details.every((detail) => detail.frames === 2 && detail.visualTokens === 2 * 64),
    JSON.stringify(details),
  );
});

/**
 * @file `vidtok narrate` as a user runs it (a child process from the repo root): JSONL events on stdout, a WebVTT file
 * valid at the end, the SSE stream and the live page while it runs, stdin input, Ctrl-C (exit 130, narration
 * flushed, VTT valid, no ffmpeg or model runner left behind), and a one-line error for a missing input.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ExitCode } from '../../src/errors/index.js';
import type { NarrationEndEvent, NarrationEvent } from '../../src/narration/index.js';
import { scratchDir } from '../helpers/paths.js';
import {
  checkEventOrder,
  fixtureModel,
  parseVtt,
  readServerSentEvents,
  runCli,
  sceneClip,
  survivingProcesses,
  transportStreamCopy,
  type SceneClip,
} from './narration-helpers.js';

describe('vidtok narrate', () => {
  let directory: string;
  let clip: SceneClip;

  before(async () => {
    directory = scratchDir('narrate-cli');
    clip = await sceneClip(directory);
  });

  it('streams JSONL, keeps a valid WebVTT, and serves the same events over SSE with a live page', async () => {
    const vttPath = join(directory, 'realtime.vtt');
    let sse: Promise<{ event: string; data: unknown }[]> | undefined;
    let page: Promise<{ status: number; html: string }> | undefined;
    const run = await runCli(
      [
        'narrate',
        clip.path,
        '-m',
        fixtureModel,
        '--realtime',
        '--max-new-tokens',
        '4',
        '--vtt',
        vttPath,
        '--serve',
        '127.0.0.1:0',
      ],
      {
        onStderr: (text) => {
          const url = /serving narration events at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(text)?.[1];
          if (!url || sse) return;
          page = fetch(url).then(async (response) => ({ status: response.status, html: await response.text() }));
          sse = readServerSentEvents(`${url}events`, (events) => events.some((event) => event.event === 'stream-end'));
        },
      },
    );
    assert.equal(run.code, 0, run.stderr);
    const ends = checkEventOrder(run.events);
    assert.ok(ends.length >= 2, `${ends.length} narrations`);
    assert.ok(sse && page, `no serve line on stderr: ${run.stderr}`);
    const loaded = await page;
    assert.equal(loaded.status, 200);
    assert.match(loaded.html, /EventSource\('\/events'\)/);
    const received = await sse;
    const sseEnds = received
      .filter((event) => event.event === 'narration-end')
      .map((event) => event.data as NarrationEndEvent);
    // The page gets thumbnails of the frames each narration saw; stdout leaves them out unless --thumbnails.
    assert.deepEqual(
      sseEnds.map((end) => ({ ...end, thumbnails: undefined })),
      ends.map((end) => ({ ...end, thumbnails: undefined })),
      'the SSE stream carries the same narration-end events',
    );
    assert.ok(
      ends.every((end) => end.thumbnails === undefined),
      'no thumbnails on stdout by default',
    );
    assert.ok(
      sseEnds.every((end) => end.thumbnails?.length === end.frames && end.frameTimes.length === end.frames),
      'one thumbnail per frame seen',
    );
    assert.equal(received[received.length - 1]!.event, 'stream-end');
    const cues = parseVtt(readFileSync(vttPath, 'utf8'));
    const spoken = ends.filter((end) => end.text.trim() !== '');
    assert.equal(cues.length, spoken.length);
    cues.forEach((cue, n) => {
      assert.ok(
        Math.abs(cue.start - spoken[n]!.start) < 0.0015 && Math.abs(cue.end - spoken[n]!.end) < 0.0015,
        `cue ${n} times`,
      );
      assert.equal(cue.id, `scene-${spoken[n]!.scene}`);
    });
    const vttText = readFileSync(vttPath, 'utf8');
    for (const end of ends)
      assert.match(
        vttText,
        new RegExp(`NOTE scene ${end.scene} from .* \\(${end.closedBy}`),
        'each scene boundary is noted',
      );
    const thumbnails = parseVtt(readFileSync(join(directory, 'realtime.thumbnails.vtt'), 'utf8'));
    assert.equal(
      thumbnails.length,
      ends.reduce((sum, end) => sum + end.frames, 0),
      'one thumbnail cue per frame seen',
    );
    assert.ok(thumbnails.every((cue) => /^realtime\.frames\/scene-\d+-\d+\.png$/.test(cue.text)));
    assert.deepEqual(await survivingProcesses(run.childPids), []);
  });

  it('reads a stream piped on stdin (-)', async () => {
    const stream = readFileSync(await transportStreamCopy(clip.path, join(directory, 'scenes.ts')));
    const run = await runCli(['narrate', '-', '-m', fixtureModel, '--max-new-tokens', '2'], { stdin: stream });
    assert.equal(run.code, 0, run.stderr);
    const ends = checkEventOrder(run.events);
    assert.ok(ends.length >= 2, `${ends.length} narrations`);
    assert.equal(ends[0]!.start, 0, 'live timelines start at 0');
    assert.ok(
      Math.abs(ends[ends.length - 1]!.end - clip.manifest.duration) <= 1,
      `ends at ${ends[ends.length - 1]!.end}`,
    );
  });

  it('Ctrl-C cuts the narration, flushes it, closes the VTT and exits 130 without leaving children', async () => {
    const vttPath = join(directory, 'interrupted.vtt');
    const run = await runCli(
      [
        'narrate',
        clip.path,
        '-m',
        fixtureModel,
        '--realtime',
        '--max-new-tokens',
        '200',
        '--step-delay',
        '100',
        '--vtt',
        vttPath,
      ],
      {
        onEvent: (event: NarrationEvent) => (event.type === 'narration-delta' ? 'interrupt' : undefined),
      },
    );
    assert.equal(run.code, ExitCode.interrupted, run.stderr);
    assert.match(run.stderr, /interrupted; 1 narration\(s\) flushed/);
    const ends = checkEventOrder(run.events);
    assert.equal(ends.length, 1);
    assert.equal(ends[0]!.interrupted, true);
    assert.ok(ends[0]!.generatedTokens < 200);
    const cues = parseVtt(readFileSync(vttPath, 'utf8'));
    assert.equal(cues.length, ends[0]!.text.trim() === '' ? 0 : 1);
    assert.ok(run.childPids.length >= 2, `children seen: ${run.childPids.join(',')} (ffmpeg and the model runner)`);
    assert.deepEqual(await survivingProcesses(run.childPids), []);
  });

  it('bad options and an unwritable --vtt are usage errors (exit 2, one line naming the option)', async () => {
    for (const [args, pattern] of [
      [['--serve', 'not-a-port'], /--serve/],
      [['--fps', '0'], /fps/],
      [['--vtt', join(directory, 'no-such-directory', 'out.vtt')], /no-such-directory.*cannot write/],
    ] as const) {
      const run = await runCli(['narrate', clip.path, '-m', fixtureModel, ...args]);
      assert.equal(run.code, ExitCode.usage, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
      assert.match(run.stderr, pattern);
      assert.deepEqual(run.events, []);
    }
  });

  it('a missing input fails at once with one line and exit 3', async () => {
    const run = await runCli(['narrate', join(directory, 'missing.mp4'), '-m', fixtureModel]);
    assert.equal(run.code, ExitCode.inputNotFound);
    assert.equal(run.stderr.trim().split('\n').length, 1);
    assert.match(run.stderr, /missing\.mp4.*no such file/);
    assert.deepEqual(run.events, []);
  });
});

/**
 * @file Extreme option values through the CLI: refused with a usage error (exit 2) or a limit error (exit 5) before
 * any work, in one line, without a native stack or Node warning; `-` on stdin with nothing to read; --at values
 * deduplicated and times before the first frame warned about.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExitCode } from '../../src/errors/index.js';
import { extractFrames } from '../../src/ingest/index.js';
import { makeClip, survivingFfmpegChildren } from '../helpers/media.js';
import { scratchDir } from '../helpers/paths.js';
import { runCli } from './cli-runner.js';
import { makeIntraTs } from './damaged-media.js';

describe('option bounds', () => {
  let clip: string;
  let transportStream: string;
  before(async () => {
    const directory = scratchDir('ingest-bounds');
    clip = await makeClip(join(directory, 'clip.mp4'), { seconds: 2 });
    transportStream = await makeIntraTs(join(directory, 'offset.ts'));
  });
  after(async () => assert.deepEqual(await survivingFfmpegChildren(), []));

  const refused: Array<{ args: (clip: string) => string[]; code: number; message: RegExp }> = [
    {
      args: (path) => ['frames', path, '--count', '1e9'],
      code: ExitCode.limitExceeded,
      message: /count 1000000000 exceeds the limit 100000/,
    },
    {
      args: (path) => ['frames', path, '--count', '10000000', '--json'],
      code: ExitCode.limitExceeded,
      message: /count 10000000 exceeds the limit/,
    },
    {
      args: (path) => ['frames', path, '--fps', '1', '--min-frames', '10', '--max-frames', '2'],
      code: ExitCode.usage,
      message: /min frames 10 is more than max frames 2/,
    },
    {
      args: (path) => ['frames', path, '--at', '1,,2'],
      code: ExitCode.usage,
      message: /without empty items, got '1,,2'/,
    },
    {
      args: (path) => ['frames', path, '--fps', '1', '--max-frames', '1e7'],
      code: ExitCode.limitExceeded,
      message: /max frames 10000000 exceeds the limit/,
    },
    {
      args: (path) => ['frames', path, '--buffer', '1e9'],
      code: ExitCode.usage,
      message: /buffer frames must be an integer in 1\.\.10000/,
    },
    { args: () => ['probe', '-'], code: ExitCode.usage, message: /probe -: a stream on stdin can be read only once/ },
  ];
  for (const { args, code, message } of refused) {
    it(`refuses ${args('clip.mp4').slice(2).join(' ') || args('clip.mp4').join(' ')} with exit ${code}`, async () => {
      const run = await runCli(args(clip));
      assert.equal(run.code, code, run.stderr);
      assert.match(run.stderr, message);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
      assert.doesNotMatch(run.stderr, /openFrames|TimeoutOverflowWarning|heap|at .*\.ts:\d+/);
      assert.equal(run.stdout, '');
    });
  }

  it('never writes an empty --out folder', async () => {
    // The clip has one keyframe, at 0 s: a window from 1 s holds none.
    const out = join(scratchDir('ingest-bounds-out'), 'keyframes');
    const run = await runCli(['frames', clip, '--keyframes', '--start', '1', '--out', out]);
    assert.equal(run.code, ExitCode.usage, run.stderr);
    assert.match(run.stderr, /selects no frame; nothing written/);
    assert.equal(existsSync(out), false);
  });

  it('says what is wrong when stdin holds no stream', async () => {
    const run = await runCli(['frames', '-', '--fps', '1']);
    assert.equal(run.code, ExitCode.decodeFailed, run.stderr);
    assert.match(run.stderr, /no video could be read from stdin/);
  });

  it('deduplicates --at and warns about times before the first frame', async () => {
    const run = await runCli(['frames', transportStream, '--at', '0.5,0.5,1.5,1.5,1.5', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { frames: Array<{ index: number }>; warnings: Array<{ message: string }> };
    assert.deepEqual(
      report.frames.map((frame) => frame.index),
      [0, 1],
    );
    assert.ok(
      report.warnings.some((warning) => /0\.5 s is before the first frame \(pts 1\.440000 s\)/.test(warning.message)),
    );
    const direct = await extractFrames(transportStream, { at: [1.5, 1.5, 1.5], size: { width: 8, height: 8 } });
    assert.deepEqual(
      direct.frames.map((frame) => frame.index),
      [1],
    );
  });
});

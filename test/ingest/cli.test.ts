/**
 * @file The CLI commands as a user runs them (`node --import tsx src/cli/main.ts ...` from the repo root): exit
 * codes, one-line messages without stack traces (unless --verbose), --json output, atomic --out, stdin, SIGINT.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExitCode } from '../../src/errors/index.js';
import { makeAudioOnly, makeClip, makeTextFile, makeY4m, runFfmpeg } from '../helpers/media.js';
import { repoRoot, scratchDir, sharedVideo } from '../helpers/paths.js';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(
  args: readonly string[],
  options: { stdinFile?: string; interruptWhen?: () => boolean; closeStdout?: boolean } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    // A reader that went away before the output came (`| head` that is done): every write of the CLI meets EPIPE.
    if (options.closeStdout) child.stdout.destroy();
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.on('error', () => undefined);
    if (options.stdinFile) child.stdin.end(readFileSync(options.stdinFile));
    else child.stdin.end();
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    if (options.interruptWhen) {
      const poll = setInterval(() => {
        if (options.interruptWhen!()) {
          clearInterval(poll);
          // Let a few frames flow, then interrupt like a user pressing Ctrl-C.
          setTimeout(() => child.kill('SIGINT'), 500);
        }
      }, 50);
      child.on('close', () => clearInterval(poll));
    }
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Processes anywhere on the machine whose command line mentions `needle` (finds orphans of a killed CLI). */
function processesMentioning(needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) found.push(Number(entry));
    } catch {
      // gone
    }
  }
  return found;
}

function commandName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

function assertOneLineError(result: CliResult, code: number, pattern: RegExp): void {
  assert.equal(result.code, code, `exit code; stderr: ${result.stderr}`);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${result.stderr}`);
  assert.match(lines[0]!, /^vidtok: /);
  assert.match(lines[0]!, pattern);
  assert.ok(!/\n\s+at /.test(result.stderr), 'no stack trace');
}

describe('vidtok probe / frames / doctor', () => {
  let directory: string;
  let clip: string;
  before(async () => {
    directory = scratchDir('ingest-cli');
    clip = await makeClip(join(directory, 'clip one.mp4'), { seconds: 4, fps: 25 });
  });
  after(() => {
    assert.deepEqual(processesMentioning(directory), []);
  });

  it('probe --json prints the summary', async () => {
    const result = await cli(['probe', sharedVideo('boat.mp4'), '--json']);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(summary.frameCount, 181);
    assert.equal(summary.frameCountExact, true);
    assert.equal(summary.hasAudio, true);
    assert.equal(summary.width, 592);
  });

  it('maps bad inputs to documented exit codes with one-line messages', async () => {
    const missing = join(directory, 'missing.mp4');
    assertOneLineError(await cli(['probe', missing]), ExitCode.inputNotFound, /missing\.mp4: no such file/);
    const text = await makeTextFile(join(directory, 'notes.mp4'));
    assertOneLineError(await cli(['frames', text, '--count', '2']), ExitCode.inputRejected, /notes\.mp4/);
    const audio = await makeAudioOnly(join(directory, 'tone.m4a'));
    assertOneLineError(
      await cli(['frames', audio, '--count', '2']),
      ExitCode.inputRejected,
      /tone\.m4a: has no video stream/,
    );
    const wide = await makeY4m(join(directory, 'wide.y4m'), 8200, 16);
    assertOneLineError(await cli(['probe', wide]), ExitCode.limitExceeded, /wide\.y4m: width/);
    assertOneLineError(
      await cli(['frames', 'ftp://example.com/a.mp4']),
      ExitCode.inputRejected,
      /ftp:\/\/example\.com\/a\.mp4: URL scheme 'ftp:' is not allowed/,
    );
    assertOneLineError(await cli(['frames', clip, '--count', '0']), ExitCode.usage, /count must be a positive integer/);
    const verbose = await cli(['probe', missing, '--verbose']);
    assert.equal(verbose.code, ExitCode.inputNotFound);
    assert.match(verbose.stderr, /\n\s+at /, 'stack with --verbose');
  });

  it('frames --out writes images and index.json atomically; --json reports the plan', async () => {
    const out = join(directory, 'out');
    const sheet = join(directory, 'sheet.png');
    const result = await cli([
      'frames',
      clip,
      '--count',
      '3',
      '--rule',
      'pllava_eval',
      '--size',
      '32x24',
      '--resize',
      'fit',
      '--out',
      out,
      '--contact-sheet',
      sheet,
      '--json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      plan: { mode: string; reason: string };
      frames: Array<{ index: number; pts: number; file: string }>;
    };
    assert.ok(['sequential', 'seek'].includes(report.plan.mode));
    assert.ok(report.plan.reason.length > 0);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as Array<{
      index: number;
      pts: number;
      file: string;
    }>;
    assert.deepEqual(
      index,
      report.frames.map(({ index: frameIndex, pts, file }) => ({ index: frameIndex, pts, file })),
    );
    assert.equal(index.length, 3);
    for (const entry of index) assert.ok(existsSync(join(out, entry.file)));
    assert.ok(existsSync(sheet));
    assert.deepEqual(
      readdirSync(directory).filter((name) => name.includes('.partial-')),
      [],
    );
    // A second run into the now non-empty directory is refused and changes nothing.
    const again = await cli(['frames', clip, '--count', '2', '--out', out]);
    assertOneLineError(again, ExitCode.usage, /not empty/);
    assert.equal(readdirSync(out).length, 4);
    // A failing run leaves no output and no partial directory.
    const failed = await cli([
      'frames',
      join(directory, 'notes.mp4'),
      '--count',
      '2',
      '--out',
      join(directory, 'never'),
    ]);
    assert.equal(failed.code, ExitCode.inputRejected);
    assert.equal(existsSync(join(directory, 'never')), false);
    assert.deepEqual(
      readdirSync(directory).filter((name) => name.includes('.partial-')),
      [],
    );
  });

  it('reads a stream from stdin', async () => {
    const stream = join(directory, 'stream.ts');
    await runFfmpeg(['-i', `file:${clip}`, '-c', 'copy', '-f', 'mpegts', `file:${stream}`]);
    const result = await cli(['frames', '-', '--fps', '5', '--size', '16x16', '--json', '--buffer', '1000'], {
      stdinFile: stream,
    });
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      plan: { mode: string };
      frames: Array<{ pts: number }>;
      dropped: number;
    };
    assert.equal(report.plan.mode, 'live');
    assert.equal(report.dropped, 0);
    assert.ok(Math.abs(report.frames.length - 20) <= 1, `${report.frames.length} frames at 5 fps from 4 s`);
  });

  it('a closed stdout (| head) ends the run quietly: exit 0, no stack trace, no ffmpeg left', async () => {
    for (const args of [
      ['frames', clip, '--json'],
      ['frames', clip, '--fps', '5'],
      ['probe', clip, '--json'],
    ]) {
      const result = await cli(args, { closeStdout: true });
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /EPIPE|Error|\n\s+at /, args.join(' '));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(processesMentioning(clip), []);
  });

  it('exits 130 on SIGINT and leaves no ffmpeg behind', async () => {
    const long = await makeClip(join(directory, 'long-sigint.mp4'), { seconds: 20, fps: 25 });
    mkdirSync(join(directory, 'empty-target'));
    const result = await cli(['frames', long, '--realtime', '--out', join(directory, 'empty-target')], {
      interruptWhen: () => processesMentioning(long).some((pid) => commandName(pid) === 'ffmpeg'),
    });
    assert.equal(result.code, ExitCode.interrupted, result.stderr);
    assert.match(result.stderr, /cancelled/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(processesMentioning(long), []);
    assert.deepEqual(readdirSync(join(directory, 'empty-target')), []);
    assert.deepEqual(
      readdirSync(directory).filter((name) => name.includes('.partial-')),
      [],
    );
  });

  it('doctor --json names the binaries and versions', async () => {
    const result = await cli(['doctor', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      ffmpeg: { path: string; version: string; source: string };
      ffprobe: { path: string };
      onnxruntimeNode: string;
      node: string;
    };
    assert.ok(existsSync(report.ffmpeg.path));
    assert.ok(existsSync(report.ffprobe.path));
    assert.ok(['env', 'ffmpeg-static', '@ffmpeg-installer', 'PATH'].includes(report.ffmpeg.source));
    assert.equal(report.node, process.versions.node);
    assert.match(report.onnxruntimeNode, /^\d+\.\d+\.\d+/);
    // A broken VIDTOK_FFMPEG is skipped in favour of the next candidate.
    const broken = join(directory, 'broken-ffmpeg');
    writeFileSync(broken, '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'doctor', '--json'], {
      cwd: repoRoot,
      env: { ...process.env, VIDTOK_FFMPEG: broken },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.resume();
    await new Promise((resolve) => child.on('close', resolve));
    const skipped = JSON.parse(stdout) as { ffmpeg: { path: string; source: string } };
    assert.notEqual(skipped.ffmpeg.path, broken);
  });
});

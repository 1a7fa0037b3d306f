/**
 * @file Which ffmpeg/ffprobe vidtok chooses: the newest ffmpeg by libavcodec, an environment override always, the
 * ffprobe built with the same libraries (same directory first), the newest when none matches; a candidate that does
 * not run is skipped, and `vidtok doctor --json` shows every candidate and the choice.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  chooseBinaries,
  compareLibraryVersions,
  decodable,
  ffmpegForCodec,
  resolveBinaries,
  type BinaryInfo,
} from '../../src/ingest/binaries.js';
import { repoRoot, scratchDir } from '../helpers/paths.js';

const npmFfmpeg: BinaryInfo = {
  path: '/n/ffmpeg-installer/ffmpeg',
  source: '@ffmpeg-installer',
  version: 'N-47683',
  libavcodec: '58.42.100',
  libavformat: '58.24.100',
};
const npmFfprobe: BinaryInfo = {
  path: '/n/ffprobe-installer/ffprobe',
  source: '@ffmpeg-installer',
  version: 'N-66595',
  libavcodec: '60.22.100',
  libavformat: '60.10.100',
};
const systemFfmpeg: BinaryInfo = {
  path: '/usr/bin/ffmpeg',
  source: 'PATH',
  version: '7.1.1',
  libavcodec: '61.19.101',
  libavformat: '61.7.100',
};
const systemFfprobe: BinaryInfo = {
  path: '/usr/bin/ffprobe',
  source: 'PATH',
  version: '7.1.1',
  libavcodec: '61.19.101',
  libavformat: '61.7.100',
};

describe('binary choice', () => {
  it('orders library versions numerically', () => {
    assert.ok(compareLibraryVersions('61.19.101', '58.42.100') > 0);
    assert.ok(compareLibraryVersions('58.9.0', '58.42.0') < 0);
    assert.equal(compareLibraryVersions('60.22.100', '60.22.100'), 0);
    assert.ok(compareLibraryVersions(undefined, '1.0.0') < 0);
  });

  it('prefers the newest ffmpeg and the ffprobe with its libraries', () => {
    const chosen = chooseBinaries([npmFfmpeg, systemFfmpeg], [npmFfprobe, systemFfprobe])!;
    assert.equal(chosen.ffmpeg.path, systemFfmpeg.path);
    assert.equal(chosen.ffprobe.path, systemFfprobe.path, 'the matching ffprobe, not the newer-listed npm one');
    assert.equal(chosen.ffprobeMatchesFfmpeg, true);
  });

  it('without a matching ffprobe takes the newest one and says it does not match', () => {
    const chosen = chooseBinaries([npmFfmpeg], [npmFfprobe])!;
    assert.equal(chosen.ffmpeg.path, npmFfmpeg.path);
    assert.equal(chosen.ffprobe.path, npmFfprobe.path);
    assert.equal(chosen.ffprobeMatchesFfmpeg, false);
  });

  it('an environment override wins even when older', () => {
    const pinned: BinaryInfo = { ...npmFfmpeg, path: '/opt/old/ffmpeg', source: 'env' };
    assert.equal(chooseBinaries([pinned, systemFfmpeg], [systemFfprobe])!.ffmpeg.path, '/opt/old/ffmpeg');
    const pinnedProbe: BinaryInfo = { ...npmFfprobe, source: 'env' };
    assert.equal(chooseBinaries([systemFfmpeg], [systemFfprobe, pinnedProbe])!.ffprobe.path, pinnedProbe.path);
  });

  it('among matching ffprobes, the one next to ffmpeg', () => {
    const elsewhere: BinaryInfo = { ...systemFfprobe, path: '/opt/copy/ffprobe', source: '@ffmpeg-installer' };
    assert.equal(chooseBinaries([systemFfmpeg], [elsewhere, systemFfprobe])!.ffprobe.path, systemFfprobe.path);
  });

  it('doctor --json: a PATH ffmpeg that does not run is listed as skipped; a working one competes by version', async () => {
    const { ffmpeg, ffprobe } = await resolveBinaries();
    const directory = scratchDir('binaries');
    const broken = join(directory, 'broken');
    const working = join(directory, 'working');
    mkdirSync(broken);
    mkdirSync(working);
    writeFileSync(join(broken, 'ffmpeg'), 'not a program\n', { mode: 0o755 });
    symlinkSync(ffmpeg.path, join(working, 'ffmpeg'));
    symlinkSync(ffprobe.path, join(working, 'ffprobe'));
    const doctor = (path: string): Promise<{ code: number | null; report: Record<string, unknown> }> =>
      new Promise((resolvePromise, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'doctor', '--json'], {
          cwd: repoRoot,
          env: { ...process.env, PATH: `${path}:${process.env.PATH ?? ''}`, VIDTOK_FFMPEG: '', VIDTOK_FFPROBE: '' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
        child.stderr.resume();
        child.on('error', reject);
        child.on('close', (code) => resolvePromise({ code, report: JSON.parse(stdout) as Record<string, unknown> }));
      });
    const withBroken = await doctor(broken);
    assert.equal(withBroken.code, 0);
    const candidates = (withBroken.report.candidates as { ffmpeg: Array<{ path: string; working: boolean }> }).ffmpeg;
    assert.deepEqual(
      candidates.find((candidate) => candidate.path === join(broken, 'ffmpeg')),
      { path: join(broken, 'ffmpeg'), source: 'PATH', working: false },
    );
    assert.notEqual((withBroken.report.ffmpeg as BinaryInfo).path, join(broken, 'ffmpeg'));
    // The same build on PATH ties on version: the earlier candidate in search order keeps it.
    const withCopy = await doctor(working);
    assert.equal((withCopy.report.ffmpeg as BinaryInfo).path, ffmpeg.path);
    assert.equal(typeof withCopy.report.ffprobeMatchesFfmpeg, 'boolean');
    assert.ok((withCopy.report.candidates as { ffmpeg: unknown[] }).ffmpeg.length >= 2);
  });
});

describe('ffmpeg per codec', () => {
  it('takes the newest ffmpeg that decodes the codec, an older one when the newest lacks it', async () => {
    const { ffmpeg } = await resolveBinaries();
    const directory = scratchDir('binaries-codec');
    // A newer build stand-in that decodes only h264 (a shell script answering -version and -codecs like ffmpeg).
    const newer = join(directory, 'ffmpeg');
    writeFileSync(
      newer,
      "#!/bin/sh\ncase \"$*\" in *-codecs*) printf ' DEV.LS h264                 H.264\\n DEA.L. aac                  AAC\\n' ;; *) printf 'ffmpeg version 99.0\\nlibavcodec     99.  1.100 / 99.  1.100\\nlibavformat    99.  1.100 / 99.  1.100\\n' ;; esac\n",
      { mode: 0o755 },
    );
    const newerInfo: BinaryInfo = {
      path: newer,
      source: 'PATH',
      version: '99.0',
      libavcodec: '99.1.100',
      libavformat: '99.1.100',
    };
    assert.equal(
      (await ffmpegForCodec('h264', [ffmpeg, newerInfo])).path,
      newer,
      'the newest one when it decodes the codec',
    );
    assert.equal(
      (await ffmpegForCodec('hevc', [ffmpeg, newerInfo])).path,
      ffmpeg.path,
      'the older one when the newest lacks the codec',
    );
    assert.equal(
      (await ffmpegForCodec('no-such-codec', [ffmpeg, newerInfo])).path,
      ffmpeg.path,
      'the default when none decodes it',
    );
    assert.ok((await decodable(ffmpeg)).has('h264'));
  });
});

/**
 * @file Bad and odd inputs: each gets a typed error with a one-line message naming the input (or, for damaged but
 * partly decodable files, frames plus warnings), never a hang, and no ffmpeg/ffprobe child survives. Odd but valid
 * file names work literally.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  InputNotFoundError,
  InputRejectedError,
  LimitExceededError,
  NoVideoStreamError,
  UnsupportedSourceError,
  VidtokError,
} from '../../src/errors/index.js';
import { extractFrames, probe } from '../../src/ingest/index.js';
import {
  corruptCopy,
  makeAudioOnly,
  makeClip,
  makeRandomFile,
  makeTextFile,
  makeY4m,
  survivingFfmpegChildren,
  trickyFileNames,
  truncateCopy,
} from '../helpers/media.js';
import { scratchDir } from '../helpers/paths.js';

type ErrorClass = abstract new (...args: never[]) => VidtokError;

async function expectTyped(action: () => Promise<unknown>, expected: ErrorClass, input: string): Promise<VidtokError> {
  const started = Date.now();
  let caught: unknown;
  try {
    await action();
  } catch (error) {
    caught = error;
  }
  assert.ok(VidtokError.isInstance(caught), `expected ${expected.name} for ${input}, got ${String(caught)}`);
  assert.ok(
    caught instanceof expected,
    `expected ${expected.name} for ${input}, got ${caught.name}: ${caught.message}`,
  );
  assert.ok(caught.message.includes(input), `message names the input: ${caught.message}`);
  assert.ok(!caught.message.includes('\n'), `one-line message: ${caught.message}`);
  assert.ok(Date.now() - started < 20_000, 'no hang');
  assert.deepEqual(await survivingFfmpegChildren(), [], 'no ffmpeg child survives');
  return caught;
}

describe('bad inputs', () => {
  let directory: string;
  let clip: string;
  before(async () => {
    directory = scratchDir('ingest-bad');
    clip = await makeClip(join(directory, 'good.mp4'), { seconds: 3, fps: 25, gop: 25 });
  });
  after(async () => assert.deepEqual(await survivingFfmpegChildren(), []));

  it('rejects missing paths, directories and empty files', async () => {
    const missing = join(directory, 'missing.mp4');
    await expectTyped(() => probe(missing), InputNotFoundError, missing);
    await expectTyped(() => extractFrames(missing, { count: 2 }), InputNotFoundError, missing);
    const folder = join(directory, 'folder.mp4');
    mkdirSync(folder);
    await expectTyped(() => extractFrames(folder, { count: 2 }), InputNotFoundError, folder);
    const empty = await makeTextFile(join(directory, 'empty.mp4'), '');
    await expectTyped(() => extractFrames(empty, { count: 2 }), InputRejectedError, empty);
  });

  it('rejects text, random bytes and an mp4 cut before its index', async () => {
    const text = await makeTextFile(join(directory, 'text.mp4'));
    await expectTyped(() => extractFrames(text, { count: 2 }), InputRejectedError, text);
    const random = await makeRandomFile(join(directory, 'random.mp4'));
    await expectTyped(() => probe(random), InputRejectedError, random);
    const moovAtEnd = await makeClip(join(directory, 'moov-at-end.mp4'), { seconds: 2 });
    const cut = await truncateCopy(moovAtEnd, join(directory, 'cut-before-moov.mp4'), 0.5);
    const error = await expectTyped(() => extractFrames(cut, { count: 2 }), InputRejectedError, cut);
    assert.match(error.message, /moov|truncated|incomplete/i);
  });

  it('returns the frames before a mid-stream truncation with a warning', async () => {
    const faststart = await makeClip(join(directory, 'faststart.mp4'), { seconds: 4, faststart: true, gop: 25 });
    const truncated = await truncateCopy(faststart, join(directory, 'truncated.mp4'), 0.6);
    const result = await extractFrames(truncated, { size: { width: 16, height: 16 } });
    assert.ok(result.frames.length > 10 && result.frames.length < 100, `${result.frames.length} frames`);
    assert.ok(
      result.warnings.some((warning) => warning.kind === 'truncated'),
      JSON.stringify(result.warnings.slice(0, 3)),
    );
    result.frames.forEach((frame, position) => assert.equal(frame.index, position));
    assert.deepEqual(await survivingFfmpegChildren(), []);
  });

  it('keeps extracting through corrupt bytes and counts warnings', async () => {
    const corrupt = await corruptCopy(clip, join(directory, 'corrupt.mp4'), { runs: 20, runLength: 200 });
    const warnings: string[] = [];
    const result = await extractFrames(corrupt, {
      size: { width: 16, height: 16 },
      onWarning: (warning) => warnings.push(warning.kind),
    });
    assert.ok(result.frames.length > 30, `${result.frames.length} frames`);
    assert.ok(warnings.length > 0 && warnings.includes('corrupt-data'), `warnings: ${warnings.join(',')}`);
    assert.equal(result.warnings.length, warnings.length);
  });

  it('rejects audio-only files', async () => {
    const audio = await makeAudioOnly(join(directory, 'audio.m4a'));
    await expectTyped(() => extractFrames(audio, { count: 2 }), NoVideoStreamError, audio);
  });

  it('rejects resolutions and durations over the caps before decoding', async () => {
    const wide = await makeY4m(join(directory, 'wide.y4m'), 8200, 16);
    const error = await expectTyped(() => probe(wide), LimitExceededError, wide);
    assert.match(error.message, /width/);
    const small = await makeY4m(join(directory, 'small.y4m'), 64, 64);
    await expectTyped(() => probe(small, { limits: { maxPixels: 1000 } }), LimitExceededError, small);
    await expectTyped(
      () => extractFrames(clip, { count: 2, limits: { maxDurationSeconds: 1 } }),
      LimitExceededError,
      clip,
    );
    assert.equal((await probe(small)).width, 64);
  });

  it('treats odd file names literally', async () => {
    for (const name of trickyFileNames) {
      const path = join(directory, name);
      copyFileSync(clip, path);
      const info = await probe(path);
      assert.equal(info.input, path);
      const result = await extractFrames(path, { count: 2, size: { width: 8, height: 8 } });
      assert.equal(result.frames.length, 2);
    }
    // Relative names with a leading '-' are not options either.
    const relative = `-y-${process.pid}.mp4`;
    copyFileSync(clip, relative);
    try {
      assert.equal((await extractFrames(relative, { count: 1, size: { width: 8, height: 8 } })).frames.length, 1);
    } finally {
      (await import('node:fs')).rmSync(relative, { force: true });
    }
    assert.equal(existsSync(join(directory, 'pwned')), false);
    assert.equal(existsSync('pwned'), false);
  });

  it('rejects URL schemes outside the allowed list', async () => {
    for (const input of [
      'file:///etc/passwd',
      'concat:a.mp4|b.mp4',
      'subfile:,,start,0,end,0,,:/etc/passwd',
      'data:video/mp4;base64,AAAA',
      'ftp://example.com/a.mp4',
      'gopher://example.com/a',
      'FILE:/etc/passwd',
      'tcp://127.0.0.1:9/',
    ]) {
      await expectTyped(() => probe(input), UnsupportedSourceError, input);
      await expectTyped(() => extractFrames(input, { count: 1 }), UnsupportedSourceError, input);
    }
  });
});

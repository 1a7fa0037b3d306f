/**
 * @file Damaged streams: frames that fail to decode make a partial result (`missing`, exit 10, `--out` refuses to
 * write unless `--allow-partial`), a stream where nothing decodes is a decode failure (exit 6, nothing written), and
 * a stream with two packets of one pts delivers every frame once, matching the decoder's own frame count.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExitCode, FfmpegError } from '../../src/errors/index.js';
import { extractFrames, probe } from '../../src/ingest/index.js';
import { survivingFfmpegChildren } from '../helpers/media.js';
import { scratchDir } from '../helpers/paths.js';
import { runCli } from './cli-runner.js';
import { duplicateTsFrame, makeIntraTs, makeMjpegAvi, zeroMjpegFrames } from './damaged-media.js';
import { decodedReference } from './ingest-fixtures.js';

describe('damaged streams', () => {
  let directory: string;
  let partial: string;
  let undecodable: string;
  let duplicated: string;
  before(async () => {
    directory = scratchDir('ingest-damaged');
    const clean = await makeMjpegAvi(join(directory, 'clean.avi'));
    partial = join(directory, 'partial.avi');
    assert.equal(await zeroMjpegFrames(clean, partial, [3, 4, 5]), 25);
    undecodable = join(directory, 'undecodable.avi');
    await zeroMjpegFrames(clean, undecodable, 'all');
    const ts = await makeIntraTs(join(directory, 'intra.ts'));
    duplicated = join(directory, 'duplicated.ts');
    await duplicateTsFrame(ts, duplicated, 5);
  });
  after(async () => assert.deepEqual(await survivingFfmpegChildren(), []));

  it('reports frames that fail to decode as missing, never as duplicates', async () => {
    const result = await extractFrames(partial, { size: { width: 16, height: 16 } });
    const indices = result.frames.map((frame) => frame.index);
    assert.deepEqual(
      indices,
      Array.from({ length: 25 }, (_, index) => index).filter((index) => index < 3 || index > 5),
    );
    assert.equal(result.missing, 3);
    assert.ok(result.warnings.some((warning) => warning.kind === 'missing-frames'));
    // Sparse picks around the damage: the picked frames that decode, each once.
    const picked = await extractFrames(partial, { count: 5, size: { width: 16, height: 16 } });
    assert.deepEqual(
      picked.frames.map((frame) => frame.index),
      [0, 6, 12, 18, 24],
    );
    assert.equal(picked.missing, 0);
    const hit = await extractFrames(partial, { at: [0.12, 0.16, 0.5], size: { width: 16, height: 16 } });
    assert.deepEqual(
      hit.frames.map((frame) => frame.index),
      [12],
    );
    assert.equal(hit.missing, 2);
  });

  it('exits 10 on a partial result; --out writes nothing unless --allow-partial', async () => {
    const out = join(directory, 'partial-out');
    const refused = await runCli(['frames', partial, '--size', '16x16', '--out', out]);
    assert.equal(refused.code, ExitCode.partialFailure, refused.stderr);
    assert.match(refused.stderr, /partial result: 3 of 25 wanted frame\(s\) could not be decoded/);
    assert.equal(existsSync(out), false);
    assert.deepEqual(
      readdirSync(directory).filter((name) => name.includes('partial-out')),
      [],
    );
    const allowed = await runCli(['frames', partial, '--size', '16x16', '--out', out, '--allow-partial']);
    assert.equal(allowed.code, ExitCode.partialFailure);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as Array<{ index: number }>;
    assert.equal(index.length, 22);
    assert.equal(readdirSync(out).length, 23);
    const json = await runCli(['frames', partial, '--size', '16x16', '--json']);
    assert.equal(json.code, ExitCode.partialFailure);
    const report = JSON.parse(json.stdout) as { frames: unknown[]; missing: number; partial: boolean };
    assert.deepEqual([report.frames.length, report.missing, report.partial], [22, 3, true]);
  });

  it('fails with exit 6 and writes nothing when no frame decodes', async () => {
    await assert.rejects(
      extractFrames(undecodable, { count: 4 }),
      (error: unknown) => error instanceof FfmpegError && /no frame could be decoded/.test(error.message),
    );
    const out = join(directory, 'never');
    const run = await runCli(['frames', undecodable, '--count', '4', '--out', out]);
    assert.equal(run.code, ExitCode.decodeFailed, run.stderr);
    assert.match(run.stderr, /no frame could be decoded/);
    assert.equal(existsSync(out), false);
    assert.deepEqual(
      readdirSync(directory).filter((name) => name.includes('never')),
      [],
    );
  });

  it('delivers both frames of a repeated pts once each, as the decoder outputs them', async () => {
    const decoded = await decodedReference(duplicated);
    const reference = decoded.units.map((units) => (units * decoded.timeBase[0]) / decoded.timeBase[1]);
    assert.equal(reference.length, 26);
    assert.equal(reference[5], reference[6]);
    const info = await probe(duplicated);
    assert.equal(info.frameCount, 26);
    const all = await extractFrames(duplicated, { size: { width: 16, height: 16 } });
    assert.deepEqual(
      all.frames.map((frame) => frame.index),
      Array.from({ length: 26 }, (_, index) => index),
    );
    assert.equal(all.missing, 0);
    all.frames.forEach((frame, position) => assert.ok(Math.abs(frame.pts - reference[position]!) < 1e-6));
    const sparse = await extractFrames(duplicated, { count: 4, rule: 'igvlm', size: { width: 16, height: 16 } });
    assert.deepEqual(
      sparse.frames.map((frame) => frame.index),
      [0, 6, 12, 18],
    );
    assert.equal(new Set(sparse.frames.map((frame) => frame.index)).size, sparse.frames.length);
  });
});

/**
 * @file writeFrames and writeContactSheet: images decode back at the right size, index.json lists index/pts/file,
 * an existing non-empty target is refused, and an aborted write leaves neither output nor partial files.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AbortedError, UsageError } from '../../src/errors/index.js';
import { extractFrames, probe, writeContactSheet, writeFrames, type ExtractResult } from '../../src/ingest/index.js';
import { survivingFfmpegChildren } from '../helpers/media.js';
import { scratchDir, sharedVideo } from '../helpers/paths.js';

describe('writing frames', () => {
  let directory: string;
  let extracted: ExtractResult;
  before(async () => {
    directory = scratchDir('ingest-writer');
    extracted = await extractFrames(sharedVideo('boat.mp4'), { count: 5, size: { width: 40, height: 30 } });
  });
  after(async () => assert.deepEqual(await survivingFfmpegChildren(), []));

  for (const format of ['png', 'jpg'] as const) {
    it(`writes ${format} images and index.json`, async () => {
      const out = join(directory, `frames ${format}`);
      await writeFrames(extracted.frames, out, { format });
      const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as Array<{
        index: number;
        pts: number;
        file: string;
      }>;
      assert.deepEqual(
        index.map((entry) => entry.index),
        extracted.frames.map((frame) => frame.index),
      );
      assert.deepEqual(
        index.map((entry) => entry.pts),
        extracted.frames.map((frame) => frame.pts),
      );
      for (const entry of index) {
        assert.ok(entry.file.endsWith(`.${format}`));
        const image = await probe(join(out, entry.file));
        assert.equal(image.width, 40);
        assert.equal(image.height, 30);
      }
      assert.equal(readdirSync(out).length, extracted.frames.length + 1);
    });
  }

  it('refuses a non-empty target and accepts an empty one', async () => {
    const busy = join(directory, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'keep.txt'), 'mine');
    await assert.rejects(writeFrames(extracted.frames, busy), UsageError);
    assert.deepEqual(readdirSync(busy), ['keep.txt']);
    const empty = join(directory, 'empty');
    mkdirSync(empty);
    await writeFrames(extracted.frames.slice(0, 1), empty);
    assert.deepEqual(readdirSync(empty).sort(), ['frame-000000.png', 'index.json']);
  });

  it('leaves nothing behind when aborted', async () => {
    const controller = new AbortController();
    const target = join(directory, 'aborted');
    const many = Array.from({ length: 400 }, () => extracted.frames).flat();
    const writing = writeFrames(many, target, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await assert.rejects(writing, AbortedError);
    assert.equal(existsSync(target), false);
    assert.deepEqual(
      readdirSync(directory).filter((name) => name.includes('.partial-')),
      [],
    );
  });

  it('tiles a contact sheet', async () => {
    const sheet = join(directory, 'sheet.jpg');
    await writeContactSheet(extracted.frames, sheet, { columns: 3 });
    const image = await probe(sheet);
    assert.equal(image.width, 3 * 40);
    assert.equal(image.height, 2 * 30);
    assert.deepEqual(
      readdirSync(directory).filter((name) => name.includes('.partial-')),
      [],
    );
  });
});

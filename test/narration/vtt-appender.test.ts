/**
 * @file VttAppender: the file is a valid WebVTT after creation and after every cue, even while a reader polls it
 * during appends (atomic replace); text is escaped so it can never break the cue syntax; close() refuses later cues.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { VttAppender } from '../../src/narration/index.js';
import { thumbnailDataUri } from '../../src/narration/scene-thumbnails.js';
import { scratchDir } from '../helpers/paths.js';
import { parseVtt } from './narration-helpers.js';

describe('VttAppender', () => {
  it('is valid at every moment while cues are appended', async () => {
    const directory = scratchDir('narrate-vtt');
    const path = join(directory, 'live.vtt');
    const vtt = await VttAppender.create(path);
    assert.deepEqual(parseVtt(readFileSync(path, 'utf8')), []);
    let reads = 0;
    let reading = true;
    const reader = (async () => {
      while (reading) {
        parseVtt(readFileSync(path, 'utf8'));
        reads += 1;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const appends: Promise<void>[] = [];
    for (let n = 0; n < 40; n++) appends.push(vtt.appendCue(n * 2, n * 2 + 2, `scene ${n}: a --> b <i>x</i> & done`));
    await Promise.all(appends);
    reading = false;
    await reader;
    await vtt.close();
    const cues = parseVtt(readFileSync(path, 'utf8'));
    assert.equal(cues.length, 40);
    assert.equal(vtt.cues, 40);
    assert.deepEqual(
      cues.map((cue) => cue.start),
      Array.from({ length: 40 }, (_, n) => n * 2),
      'cues in call order',
    );
    assert.equal(cues[3]!.text, 'scene 3: a --&gt; b &lt;i&gt;x&lt;/i&gt; &amp; done');
    assert.ok(reads > 0);
    assert.deepEqual(
      readdirSync(directory).filter((name) => name.endsWith('.tmp')),
      [],
      'no temporary files left',
    );
  });

  it('skips blank cues, keeps multi-line text without blank lines, refuses cues after close', async () => {
    const path = join(scratchDir('narrate-vtt'), 'cues.vtt');
    const vtt = await VttAppender.create(path);
    await vtt.appendCue(0, 1, '   \n  ');
    await vtt.appendCue(1, 3, 'first line\n\n\nsecond line');
    await vtt.appendCue(3, 2, 'end before start is clamped to the start');
    await vtt.close();
    await assert.rejects(vtt.appendCue(5, 6, 'late'));
    const cues = parseVtt(readFileSync(path, 'utf8'));
    assert.deepEqual(cues, [
      { start: 1, end: 3, text: 'first line\nsecond line' },
      { start: 3, end: 3, text: 'end before start is clamped to the start' },
    ]);
  });

  it('appendScene writes the boundary as a NOTE, the cue as scene-N, and the frames seen as a thumbnail track', async () => {
    const directory = scratchDir('narrate-vtt-scene');
    const path = join(directory, 'clip.vtt');
    const vtt = await VttAppender.create(path);
    const image = { width: 16, height: 9, data: new Uint8Array(16 * 9 * 3).fill(200) };
    await vtt.appendScene({
      scene: 0,
      start: 0,
      end: 2.5,
      text: 'a dog runs',
      closedBy: 'cut',
      mergedScenes: [],
      frameTimes: [0, 1.5],
      thumbnails: [thumbnailDataUri(image, 16), thumbnailDataUri(image, 16)],
    });
    await vtt.appendScene({
      scene: 1,
      start: 2.5,
      end: 6,
      text: 'it stops --> sits',
      closedBy: 'end-of-stream',
      mergedScenes: [2],
      frameTimes: [3],
    });
    await vtt.close();
    const text = readFileSync(path, 'utf8');
    assert.deepEqual(parseVtt(text), [
      { id: 'scene-0', start: 0, end: 2.5, text: 'a dog runs' },
      { id: 'scene-1', start: 2.5, end: 6, text: 'it stops --&gt; sits' },
    ]);
    assert.match(text, /NOTE scene 0 from 00:00:00\.000 to 00:00:02\.500 \(cut\); frames seen at 0\.00 1\.50 s/);
    assert.match(
      text,
      /NOTE scene 1 from 00:00:02\.500 to 00:00:06\.000 \(end-of-stream, merged scenes 2\); frames seen at 3\.00 s/,
    );
    assert.deepEqual(parseVtt(readFileSync(vtt.thumbnailPath, 'utf8')), [
      { start: 0, end: 1.5, text: 'clip.frames/scene-0-0.png' },
      { start: 1.5, end: 2.5, text: 'clip.frames/scene-0-1.png' },
    ]);
    assert.deepEqual(readdirSync(vtt.framesDirectory).sort(), ['scene-0-0.png', 'scene-0-1.png']);
    const png = readFileSync(join(vtt.framesDirectory, 'scene-0-0.png'));
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG file');
  });
});

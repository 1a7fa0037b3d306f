/**
 * @file The PNG encoder: CRC-32 check value, exact round trip through an independent reader (all row filters), the
 * same pixels when ffmpeg decodes the file, and typed rejection of bad buffers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RgbImage } from '../../src/core/frame.js';
import { resolveBinaries } from '../../src/ingest/binaries.js';
import { startChild } from '../../src/ingest/ffmpeg-adapter.js';
import { crc32, encodePng } from '../../src/inspect/png-encode.js';
import { bitwiseCrc32, readPng } from './png-reader.js';

function noiseImage(width: number, height: number, seed: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let state = seed;
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    // Half smooth gradient (Up filter wins), half noise (None wins).
    data[i] = i % 2 === 0 ? (Math.floor(i / (width * 3)) * 3 + (i % 7)) & 0xff : state >>> 24;
  }
  return { width, height, data };
}

async function ffmpegDecode(png: Uint8Array): Promise<Buffer> {
  const { ffmpeg } = await resolveBinaries();
  const child = startChild(
    ffmpeg.path,
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'png_pipe',
      '-i',
      'pipe:0',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    {
      operation: 'decode test png',
      input: 'test png',
      deadlineMs: 30_000,
      stdin: 'pipe',
    },
  );
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stdin!.end(png);
  assert.equal(await child.exited, 0);
  return Buffer.concat(chunks);
}

test('crc32 gives the standard check value and matches a bitwise CRC', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
  const bytes = noiseImage(50, 20, 3).data;
  assert.equal(crc32(bytes), bitwiseCrc32(bytes));
});

test('encodePng round-trips exactly through an independent reader', () => {
  for (const [width, height] of [
    [1, 1],
    [7, 5],
    [64, 33],
  ] as const) {
    const image = noiseImage(width, height, width * 31 + height);
    const decoded = readPng(encodePng(image));
    assert.equal(decoded.width, width);
    assert.equal(decoded.height, height);
    assert.deepEqual(decoded.data, image.data);
  }
});

test('ffmpeg decodes the PNG to the same pixels', async () => {
  const image = noiseImage(40, 24, 7);
  const raw = await ffmpegDecode(encodePng(image));
  assert.deepEqual(new Uint8Array(raw), image.data);
});

test('a flat image compresses well and bad buffers are rejected', () => {
  const flat: RgbImage = { width: 200, height: 100, data: new Uint8Array(200 * 100 * 3).fill(128) };
  assert.ok(encodePng(flat).length < 1000);
  assert.throws(() => encodePng({ width: 4, height: 4, data: new Uint8Array(10) }), RangeError);
  assert.throws(() => encodePng({ width: 0, height: 4, data: new Uint8Array(0) }), RangeError);
});

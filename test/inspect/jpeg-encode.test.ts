/**
 * @file JPEG pictures through ffmpeg: images of several sizes come back in input order as separate, decodable JPEGs
 * close to the source pixels; the marker walker splits concatenated files and rejects garbage.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RgbImage } from '../../src/core/frame.js';
import { resolveBinaries } from '../../src/ingest/binaries.js';
import { startChild } from '../../src/ingest/ffmpeg-adapter.js';
import { encodeJpegImages, splitJpegStream } from '../../src/inspect/jpeg-encode.js';

function flatImage(width: number, height: number, color: readonly [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) data.set(color, p * 3);
  return { width, height, data };
}

async function decodeJpeg(jpeg: Uint8Array): Promise<Buffer> {
  const { ffmpeg } = await resolveBinaries();
  const child = startChild(
    ffmpeg.path,
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'jpeg_pipe',
      '-i',
      'pipe:0',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    {
      operation: 'decode test jpeg',
      input: 'test jpeg',
      deadlineMs: 30_000,
      stdin: 'pipe',
    },
  );
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stdin!.end(jpeg);
  assert.equal(await child.exited, 0);
  return Buffer.concat(chunks);
}

test('encodeJpegImages keeps the order across size groups and the pictures decode to their colours', async () => {
  const images = [
    flatImage(32, 16, [200, 30, 30]),
    flatImage(17, 9, [30, 200, 30]),
    flatImage(32, 16, [30, 30, 200]),
    flatImage(17, 9, [240, 240, 20]),
  ];
  const jpegs = await encodeJpegImages(images);
  assert.equal(jpegs.length, images.length);
  for (const [at, jpeg] of jpegs.entries()) {
    assert.equal(jpeg[0], 0xff);
    assert.equal(jpeg[1], 0xd8);
    assert.equal(jpeg[jpeg.length - 2], 0xff);
    assert.equal(jpeg[jpeg.length - 1], 0xd9);
    const raw = await decodeJpeg(jpeg);
    const image = images[at]!;
    assert.equal(raw.length, image.data.length, `picture ${at} has the size of its source`);
    const centre = (Math.floor(image.height / 2) * image.width + Math.floor(image.width / 2)) * 3;
    for (let c = 0; c < 3; c++)
      assert.ok(
        Math.abs(raw[centre + c]! - image.data[centre + c]!) <= 12,
        `picture ${at} channel ${c}: ${raw[centre + c]} vs ${image.data[centre + c]}`,
      );
  }
});

test('splitJpegStream splits concatenated files and rejects what is not JPEG', async () => {
  const [a, b] = await encodeJpegImages([flatImage(8, 8, [1, 2, 3]), flatImage(8, 8, [250, 240, 230])]);
  const joined = new Uint8Array(a!.length + b!.length);
  joined.set(a!, 0);
  joined.set(b!, a!.length);
  const parts = splitJpegStream(joined);
  assert.equal(parts.length, 2);
  assert.deepEqual(parts[0], a);
  assert.deepEqual(parts[1], b);
  assert.throws(() => splitJpegStream(Uint8Array.of(1, 2, 3, 4)), RangeError);
  assert.throws(() => splitJpegStream(a!.subarray(0, a!.length - 10)), RangeError);
  await assert.rejects(encodeJpegImages([{ width: 4, height: 4, data: new Uint8Array(5) }]), RangeError);
});

test('an aborted signal stops the encoding with a typed error', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    encodeJpegImages([flatImage(8, 8, [0, 0, 0])], { signal: controller.signal }),
    (error: Error) => error.name === 'AbortedError',
  );
});

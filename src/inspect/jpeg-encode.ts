/**
 * @file JPEG encoding of RGB images through ffmpeg (mjpeg), for the report's embedded pictures: one ffmpeg process per
 * run of equally sized images, raw RGB24 in through stdin, `image2pipe` JPEGs out through stdout, split back into
 * single files by walking the JPEG marker structure. The process runs under the one raw-image runner of
 * src/ingest/raw-image-encoder.ts (its deadline, abort and EPIPE policy).
 */
import type { RgbImage } from '../core/frame.js';
import { FfmpegError } from '../errors/index.js';
import { runFfmpegOnRawImages } from '../ingest/raw-image-encoder.js';

export interface JpegOptions {
  /** ffmpeg's `-q:v`, 2 (best) to 31 (worst); default 5. */
  readonly quality?: number;
  readonly signal?: AbortSignal;
}

/** Splits a concatenation of baseline JPEG files (as ffmpeg's image2pipe writes them) into the single files. */
export function splitJpegStream(bytes: Uint8Array): Uint8Array[] {
  const images: Uint8Array[] = [];
  let at = 0;
  while (at + 1 < bytes.length) {
    if (bytes[at] !== 0xff || bytes[at + 1] !== 0xd8)
      throw new RangeError(`splitJpegStream: no JPEG start marker at byte ${at}`);
    const start = at;
    at += 2;
    for (;;) {
      if (at + 1 >= bytes.length) throw new RangeError('splitJpegStream: truncated JPEG');
      if (bytes[at] !== 0xff) throw new RangeError(`splitJpegStream: expected a marker at byte ${at}`);
      const marker = bytes[at + 1]!;
      if (marker === 0xff) {
        at += 1; // fill byte
        continue;
      }
      if (marker === 0xd9) {
        at += 2;
        break;
      }
      if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
        at += 2;
        continue;
      }
      const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
      at += 2 + length;
      if (marker === 0xda) {
        // Entropy-coded data: a marker is 0xFF followed by anything but 0x00 (stuffing) or a restart marker.
        while (
          at + 1 < bytes.length &&
          !(bytes[at] === 0xff && bytes[at + 1] !== 0x00 && !(bytes[at + 1]! >= 0xd0 && bytes[at + 1]! <= 0xd7))
        )
          at += 1;
      }
    }
    images.push(new Uint8Array(bytes.subarray(start, at)));
  }
  return images;
}

async function encodeSameSize(images: readonly RgbImage[], options: JpegOptions): Promise<Uint8Array[]> {
  const first = images[0]!;
  const quality = Math.min(31, Math.max(2, Math.round(options.quality ?? 5)));
  const args = ['-c:v', 'mjpeg', '-q:v', String(quality), '-pix_fmt', 'yuvj444p', '-f', 'image2pipe', 'pipe:1'];
  const operation = `jpeg encoding of ${images.length} ${first.width}x${first.height} images`;
  const stdout = await runFfmpegOnRawImages(images, args, {
    operation,
    input: 'report images',
    signal: options.signal,
    captureStdout: true,
  });
  const files = splitJpegStream(stdout);
  if (files.length !== images.length)
    throw new FfmpegError('report images', `JPEG encoding returned ${files.length} images for ${images.length}`);
  return files;
}

/** Encodes each image as JPEG (same order as the input); images of one size share an ffmpeg process. */
export async function encodeJpegImages(images: readonly RgbImage[], options: JpegOptions = {}): Promise<Uint8Array[]> {
  for (const image of images) {
    if (!(image.width >= 1 && image.height >= 1) || image.data.length !== image.width * image.height * 3) {
      throw new RangeError(
        `encodeJpegImages: a ${image.width}x${image.height} RGB image needs ${image.width * image.height * 3} bytes, got ${image.data.length}`,
      );
    }
  }
  const groups = new Map<string, number[]>();
  images.forEach((image, at) => {
    const key = `${image.width}x${image.height}`;
    const group = groups.get(key) ?? [];
    group.push(at);
    groups.set(key, group);
  });
  const out: Uint8Array[] = new Array(images.length);
  for (const positions of groups.values()) {
    const encoded = await encodeSameSize(
      positions.map((at) => images[at]!),
      options,
    );
    positions.forEach((at, n) => {
      out[at] = encoded[n]!;
    });
  }
  return out;
}

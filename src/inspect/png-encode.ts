/**
 * @file A minimal PNG encoder for RGB24 images: one IHDR (8-bit truecolour), one IDAT (zlib deflate of the rows, each
 * with filter type 0 or 2 (Up), whichever is smaller by the sum-of-absolute-values heuristic), one IEND. CRC-32 is
 * computed here (table driven) so the encoder works on every Node >= 20.
 */
import { deflateSync } from 'node:zlib';
import type { RgbImage } from '../core/frame.js';

const signature = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

const crcTable = ((): Uint32Array => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO-HDLC, as PNG and zlib's crc32) of the bytes. */
export function crc32(bytes: Uint8Array, initial = 0): number {
  let c = (initial ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Sum of the bytes read as signed values: the usual heuristic for choosing a row filter. */
function rowCost(row: Uint8Array): number {
  let cost = 0;
  for (let i = 0; i < row.length; i++) {
    const value = row[i]!;
    cost += value < 128 ? value : 256 - value;
  }
  return cost;
}

/** Encodes an RGB image as PNG bytes. Throws RangeError when the buffer does not match the size. */
export function encodePng(image: RgbImage, options: { readonly level?: number } = {}): Uint8Array {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`encodePng: invalid size ${width}x${height}`);
  }
  if (data.length !== width * height * 3)
    throw new RangeError(
      `encodePng: a ${width}x${height} RGB image needs ${width * height * 3} bytes, got ${data.length}`,
    );
  const stride = width * 3;
  const raw = new Uint8Array((stride + 1) * height);
  const up = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = data.subarray(y * stride, (y + 1) * stride);
    const target = y * (stride + 1);
    if (y > 0) {
      const previous = data.subarray((y - 1) * stride, y * stride);
      for (let i = 0; i < stride; i++) up[i] = (row[i]! - previous[i]!) & 0xff;
      if (rowCost(up) < rowCost(row)) {
        raw[target] = 2;
        raw.set(up, target + 1);
        continue;
      }
    }
    raw[target] = 0;
    raw.set(row, target + 1);
  }
  const header = new Uint8Array(13);
  const headerView = new DataView(header.buffer);
  headerView.setUint32(0, width);
  headerView.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour
  header[10] = 0; // compression: deflate
  header[11] = 0; // filter method 0
  header[12] = 0; // no interlace
  const compressed = deflateSync(raw, { level: options.level ?? 9 });
  const parts = [signature, chunk('IHDR', header), chunk('IDAT', compressed), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * @file Deterministic mutants for the damaged-stream tests: an MJPEG AVI whose chosen frames are zeroed (they fail
 * to decode while the index still lists them) and an MPEG-TS with one frame's packets repeated (two packets with
 * the same pts).
 */
import { promises as fs } from 'node:fs';
import { runFfmpeg } from '../helpers/media.js';

/** An all-intra MJPEG AVI of `frames` frames at 25 fps. */
export async function makeMjpegAvi(path: string, frames = 25): Promise<string> {
  await runFfmpeg([
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=96x64:rate=25:duration=${frames / 25}`,
    '-c:v',
    'mjpeg',
    '-q:v',
    '5',
    '-pix_fmt',
    'yuvj420p',
    `file:${path}`,
  ]);
  return path;
}

/** Copies an MJPEG AVI with the JPEG data of frames `zeroed` (or every frame) overwritten by zeros. */
export async function zeroMjpegFrames(
  source: string,
  target: string,
  zeroed: readonly number[] | 'all',
): Promise<number> {
  const bytes = Buffer.from(await fs.readFile(source));
  const frames: Array<{ offset: number; size: number }> = [];
  for (let position = bytes.indexOf('00dc'); position >= 0; position = bytes.indexOf('00dc', position + 4)) {
    const size = bytes.readUInt32LE(position + 4);
    const offset = position + 8;
    if (size > 2 && offset + size <= bytes.length && bytes[offset] === 0xff && bytes[offset + 1] === 0xd8)
      frames.push({ offset, size });
  }
  frames.forEach((frame, index) => {
    if (zeroed === 'all' || zeroed.includes(index)) bytes.fill(0, frame.offset, frame.offset + frame.size);
  });
  await fs.writeFile(target, bytes);
  return frames.length;
}

/** An all-intra MPEG-2 TS (timestamps from 1.44 s) of `frames` frames at 25 fps. */
export async function makeIntraTs(path: string, frames = 25): Promise<string> {
  await runFfmpeg([
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=96x64:rate=25:duration=${frames / 25}`,
    '-c:v',
    'mpeg2video',
    '-g',
    '1',
    '-q:v',
    '5',
    `file:${path}`,
  ]);
  return path;
}

/** Copies a TS with the video packets of frame `frame` repeated right after it (same pts twice). */
export async function duplicateTsFrame(source: string, target: string, frame: number): Promise<void> {
  const bytes = await fs.readFile(source);
  const packets: Buffer[] = [];
  for (let offset = 0; offset + 188 <= bytes.length; offset += 188) packets.push(bytes.subarray(offset, offset + 188));
  const pid = (packet: Buffer): number => ((packet[1]! & 0x1f) << 8) | packet[2]!;
  const counts = new Map<number, number>();
  for (const packet of packets) counts.set(pid(packet), (counts.get(pid(packet)) ?? 0) + 1);
  const video = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  const starts = packets.flatMap((packet, index) =>
    pid(packet) === video && (packet[1]! & 0x40) !== 0 ? [index] : [],
  );
  const from = starts[frame]!;
  const to = starts[frame + 1]!;
  const repeated = packets.slice(from, to).filter((packet) => pid(packet) === video);
  await fs.writeFile(target, Buffer.concat([...packets.slice(0, to), ...repeated, ...packets.slice(to)]));
}

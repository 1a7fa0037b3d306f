/**
 * @file Synthetic frames and slow encoders for the graph tests: frames whose pixels are a deterministic function of
 * the frame number (so scenes and merges have something to find), generated without ffmpeg.
 */
import type { VideoFrame } from '../../src/core/frame.js';

/** One frame `n` of `size`×`size`: a colour that changes every `sceneLength` frames plus a gradient and noise. */
export function syntheticFrame(n: number, size = 336, sceneLength = 4): VideoFrame {
  const data = new Uint8Array(size * size * 3);
  const scene = Math.floor(n / sceneLength);
  const base = [(scene * 97) % 256, (scene * 53 + 40) % 256, (scene * 151 + 90) % 256];
  let seed = n * 7919 + 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const at = (y * size + x) * 3;
      for (let c = 0; c < 3; c++) data[at + c] = (base[c]! + ((x + y) >> 3) + (seed % 7)) % 256;
    }
  }
  return { width: size, height: size, data, pts: n / 25, index: n * 2 };
}

export function syntheticFrames(count: number, size = 336, sceneLength = 4): VideoFrame[] {
  return Array.from({ length: count }, (_, n) => syntheticFrame(n, size, sceneLength));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

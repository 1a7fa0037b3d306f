/**
 * @file Shared helpers of the runtime tests: the committed fixture model directories, deterministic synthetic
 * frames, and a token stream built from an encoder's feature grid (one single-frame segment per frame).
 */
import { join } from 'node:path';
import type { FeatureGrid } from '../../src/core/feature-grid.js';
import type { VideoFrame } from '../../src/core/frame.js';
import type { TokenSegment, TokenStream } from '../../src/core/token-stream.js';
import { repoRoot } from '../helpers/paths.js';

export const fixtureModelsDir = join(repoRoot, 'test', 'fixtures', 'models');
export const smolvlm2Fixture = join(fixtureModelsDir, 'smolvlm2-tiny');
export const llavaOnevisionFixture = join(fixtureModelsDir, 'llava-onevision-tiny');
/** The newer export style (GroupQueryAttention decoder without position_ids, q4 embed, q8 vision without mask). */
export const smolvlm2GqaFixture = join(fixtureModelsDir, 'smolvlm2-tiny-gqa');

/** `count` frames of `width`x`height` with distinct deterministic content, one per second. */
export function syntheticFrames(count: number, width = 64, height = 48): VideoFrame[] {
  return Array.from({ length: count }, (_, t) => {
    const data = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const at = (y * width + x) * 3;
        data[at] = (x * 4 + t * 40) % 256;
        data[at + 1] = (y * 5 + t * 17) % 256;
        data[at + 2] = ((x ^ y) * 3 + t * 90) % 256;
      }
    }
    return { width, height, data, pts: t, index: t * 30 };
  });
}

/** One visual segment per frame of `grid`, optionally followed by text segments. */
export function streamFromGrid(grid: FeatureGrid, trailingText?: string): TokenStream {
  const perFrame = grid.h * grid.w;
  const segments: TokenSegment[] = [];
  for (let t = 0; t < grid.T; t++) {
    segments.push({
      type: 'visual',
      role: 'frames',
      tokens: grid.data.subarray(t * perFrame * grid.D, (t + 1) * perFrame * grid.D),
      count: perFrame,
      dim: grid.D,
      timestamps: [grid.timestamps[t]!],
      frameIndices: [grid.frameIndices[t]!],
      layout: { t: 1, h: grid.h, w: grid.w },
    });
  }
  if (trailingText !== undefined) segments.push({ type: 'text', text: trailingText });
  return { dim: grid.D, segments, metadata: { pipeline: 'test', encoder: 'test', params: {} } };
}

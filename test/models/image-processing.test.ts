/**
 * @file Family preprocessing and pooling: normalisation ranges and CHW layout, and LLaVA-OneVision's bilinear
 * 27x27→14x14 pooling against the analytic values of a linear ramp (bilinear interpolation is exact on it).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bilinearResample } from '../../src/tensor/bilinear-resample.js';
import { llavaOnevisionFamily, smolvlm2Family } from '../../src/models/index.js';

function solid(width: number, height: number, rgb: [number, number, number]) {
  const data = new Uint8Array(width * height * 3);
  for (let index = 0; index < width * height; index++) data.set(rgb, index * 3);
  return { width, height, data };
}

describe('frame preprocessing', () => {
  for (const family of [smolvlm2Family, llavaOnevisionFamily]) {
    it(`${family.name}: x/255*2-1 per channel, CHW, ${family.imageSize}x${family.imageSize}`, () => {
      const plane = family.imageSize ** 2;
      const out = new Float32Array(3 * plane + 5).fill(9);
      family.writePixels(solid(37, 23, [255, 0, 51]), out, 5);
      assert.deepEqual([...out.subarray(0, 5)], [9, 9, 9, 9, 9]);
      for (const [channel, value] of [
        [0, 1],
        [1, -1],
        [2, (51 / 255) * 2 - 1],
      ] as const) {
        const values = out.subarray(5 + channel * plane, 5 + (channel + 1) * plane);
        assert.ok(
          values.every((v) => Math.abs(v - value) < 1e-6),
          `channel ${channel}`,
        );
      }
    });
  }
});

describe('LLaVA-OneVision bilinear pooling', () => {
  it('matches F.interpolate(bilinear, align_corners=False) on a linear ramp', () => {
    const side = 27;
    const dim = 2;
    const data = new Float32Array(side * side * dim);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        data[(y * side + x) * dim] = 3 * y + 0.5 * x + 1;
        data[(y * side + x) * dim + 1] = -y;
      }
    }
    const pooled = bilinearResample(data, [1, side, side, dim], [14, 14]);
    const source = (o: number) => (27 / 14) * (o + 0.5) - 0.5; // inside [0, 26] for every o: no clamping
    for (let y = 0; y < 14; y++) {
      for (let x = 0; x < 14; x++) {
        assert.ok(Math.abs(pooled[(y * 14 + x) * dim]! - (3 * source(y) + 0.5 * source(x) + 1)) < 1e-4);
        assert.ok(Math.abs(pooled[(y * 14 + x) * dim + 1]! + source(y)) < 1e-4);
      }
    }
  });

  it('the family pools every frame of a batch independently', () => {
    const tokens = 729;
    const data = new Float32Array(2 * tokens * 3);
    data.fill(1, 0, tokens * 3);
    data.fill(-2, tokens * 3);
    const grids = llavaOnevisionFamily.frameTokens({ data, count: 2, tokens, hidden: 3 });
    assert.equal(grids.h, 14);
    assert.equal(grids.w, 14);
    assert.ok(grids.data.subarray(0, 196 * 3).every((v) => Math.abs(v - 1) < 1e-6));
    assert.ok(grids.data.subarray(196 * 3).every((v) => Math.abs(v + 2) < 1e-6));
  });
});

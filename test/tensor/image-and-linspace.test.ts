// Image area resampling (planar and interleaved share the kernel), cosine helpers, and the exact torch.linspace
// emulation checked against the torch-generated frame-index reference vectors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { areaResampleImage, interleavedView, planarView } from '../../src/tensor/image-area-resample.js';
import { consecutiveCosineSimilarities, cosineSimilarity } from '../../src/tensor/cosine-similarity.js';
import { torchLinspaceRoundIndices, torchLinspaceTruncIndices } from '../../src/tensor/torch-linspace.js';
import { roundHalfEven, torchLinspaceF32 } from '../../src/numeric/rounding.js';
import { npyToNumbers, parseNpy } from '../../src/golden/npy.js';
import { goldenCasesDir } from '../helpers/paths.js';

test('area resampling of an interleaved RGB image equals resampling its planar float copy, rounded', () => {
  const width = 13;
  const height = 9;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 37 + 11) % 256;
  const planar = new Float32Array(rgb.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) planar[(c * height + y) * width + x] = rgb[(y * width + x) * 3 + c]!;
  const outRgb = new Uint8Array(5 * 4 * 3);
  const outPlanar = new Float32Array(5 * 4 * 3);
  areaResampleImage(interleavedView(rgb, width, height), interleavedView(outRgb, 5, 4));
  areaResampleImage(planarView(planar, width, height), planarView(outPlanar, 5, 4));
  for (let y = 0; y < 4; y++)
    for (let x = 0; x < 5; x++)
      for (let c = 0; c < 3; c++) {
        const exact = outPlanar[(c * 4 + y) * 5 + x]!;
        assert.equal(outRgb[(y * 5 + x) * 3 + c], Math.min(255, roundHalfEven(exact)));
      }
});

test('cosine similarity: parallel 1, opposite -1, zero vector 0 (not NaN)', () => {
  const a = new Float32Array([1, 2, 3, -2, -4, -6, 0, 0, 0]);
  assert.ok(Math.abs(cosineSimilarity(a, 0, new Float32Array([2, 4, 6]), 0, 3) - 1) < 1e-12);
  const consecutive = consecutiveCosineSimilarities(a, 3, 3);
  assert.ok(Math.abs(consecutive[0]! + 1) < 1e-7);
  assert.equal(consecutive[1], 0);
});

test('exact torch.linspace reproduces every torch_linspace_round/trunc reference vector', () => {
  const names = readdirSync(goldenCasesDir).filter((n) => /^frame_indices-torch_linspace_(round|trunc)-/.test(n));
  assert.ok(names.length >= 20);
  for (const name of names) {
    const spec = JSON.parse(readFileSync(join(goldenCasesDir, name, 'case.json'), 'utf8'));
    const want = Array.from(npyToNumbers(parseNpy(readFileSync(join(goldenCasesDir, name, 'indices.npy')))));
    const { rule, total, count } = spec.params as { rule: string; total: number; count: number };
    const got =
      rule === 'torch_linspace_round'
        ? Array.from(torchLinspaceF32(0, total - 1, count), (v) => Math.min(total - 1, Math.max(0, roundHalfEven(v))))
        : Array.from(torchLinspaceF32(0, total, count + 1), (v) => Math.trunc(v)).slice(0, -1);
    assert.deepEqual(got, want, name);
  }
});

/** The textbook op-by-op float32 formula (what the kernel would give without vectorisation and FMA). */
function plainLinspace(start: number, end: number, steps: number): Float32Array {
  const f = Math.fround;
  const out = new Float32Array(steps);
  const step = f(f(f(end) - f(start)) / (steps - 1));
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) out[i] = i < half ? f(f(start) + f(step * i)) : f(f(end) - f(step * (steps - 1 - i)));
  return out;
}

test('exact torch.linspace equals torch 1.13 bit for bit where the plain formula does not (torch fixture)', () => {
  const fixture = JSON.parse(
    readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'torch-linspace.json'), 'utf8'),
  ) as {
    cases: { start: number; end: number; steps: number; values: number[] }[];
  };
  assert.ok(fixture.cases.length >= 8);
  let plainDiffers = 0;
  for (const { start, end, steps, values } of fixture.cases) {
    assert.deepEqual(Array.from(torchLinspaceF32(start, end, steps)), values, `linspace(${start}, ${end}, ${steps})`);
    if (Array.from(plainLinspace(start, end, steps)).some((v, i) => v !== values[i])) plainDiffers++;
  }
  assert.ok(plainDiffers > 0, 'the fixture should contain cases the plain formula gets wrong');
  // The index rules built on it (SlowFast slow frames for T=2, S=14; TS-LLaVA rounding for T=2, k=53).
  const values = (end: number, steps: number): number[] =>
    fixture.cases.find((c) => c.end === end && c.steps === steps)!.values;
  assert.deepEqual(
    torchLinspaceTruncIndices(2, 14),
    values(2, 15)
      .map((v) => Math.trunc(v))
      .slice(0, -1),
  );
  assert.deepEqual(
    torchLinspaceRoundIndices(2, 53),
    values(1, 53).map((v) => Math.min(1, Math.max(0, roundHalfEven(v)))),
  );
});

test('exact torch.linspace keeps the endpoints and is symmetric in structure', () => {
  const x = torchLinspaceF32(0, 28799, 2880);
  assert.equal(x[0], 0);
  assert.equal(x[2879], 28799);
  // Known torch 1.13 values (AVX2 build) around the vector/FMA boundary cases.
  assert.equal(roundHalfEven(x[1759]!), 17595);
  assert.equal(roundHalfEven(x[2399]!), 23998);
  assert.deepEqual(Array.from(torchLinspaceF32(2, 2, 1)), [2]);
});

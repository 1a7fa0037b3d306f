// Frame-index rules: every frame_indices golden case, plus the properties the rules must keep on any input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { frameIndices, frameIndexRules, type FrameIndexRule } from '../../src/sampling/frame-indices.js';
import { npyToNumbers, parseNpy } from '../../src/golden/npy.js';
import { goldenCasesDir } from '../helpers/paths.js';

test('every frame_indices golden case is reproduced exactly', () => {
  const cases = readdirSync(goldenCasesDir).filter((name) => name.startsWith('frame_indices-'));
  assert.ok(cases.length >= 7 * 5, `expected many frame_indices cases, found ${cases.length}`);
  for (const name of cases) {
    const spec = JSON.parse(readFileSync(join(goldenCasesDir, name, 'case.json'), 'utf8'));
    const want = Array.from(npyToNumbers(parseNpy(readFileSync(join(goldenCasesDir, name, 'indices.npy')))));
    const got = frameIndices(spec.params.rule as FrameIndexRule, spec.params.total, spec.params.count);
    assert.deepEqual(got, want, name);
  }
});

test('indices stay inside the video and are non-decreasing for every rule', () => {
  for (const rule of frameIndexRules) {
    for (const total of [6, 7, 50, 61, 999]) {
      for (const count of [1, 6, 16]) {
        if (rule === 'igvlm' && total < count) continue;
        const got = frameIndices(rule, total, count);
        for (let i = 0; i < got.length; i++) {
          assert.ok(got[i]! >= 0 && got[i]! < total, `${rule}(${total},${count}) index ${got[i]} out of range`);
          if (i > 0) assert.ok(got[i]! >= got[i - 1]!, `${rule}(${total},${count}) not sorted`);
        }
      }
    }
  }
});

test('invalid totals and counts are rejected', () => {
  assert.throws(() => frameIndices('seq_frames', 0, 4), RangeError);
  assert.throws(() => frameIndices('seq_frames', 10, 0), RangeError);
  assert.throws(() => frameIndices('seq_frames', 10.5, 2), RangeError);
});

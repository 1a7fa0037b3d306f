// The .npy reader turns Fortran-order arrays (some golden outputs are stored that way) into C order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNpy } from '../../src/golden/npy.js';

function npyBytes(header: string, body: Uint8Array): Uint8Array {
  let text = header;
  const total = 10 + text.length + 1;
  text += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + text.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, text.length, true);
  out.set(new TextEncoder().encode(text), 10);
  out.set(body, 10 + text.length);
  return out;
}

test('a Fortran-order 2x3 float32 array reads back in C order', () => {
  // C-order matrix [[1,2,3],[4,5,6]] stored column-major: 1,4,2,5,3,6.
  const body = new Uint8Array(new Float32Array([1, 4, 2, 5, 3, 6]).buffer);
  const array = parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", body));
  assert.deepEqual(array.shape, [2, 3]);
  assert.deepEqual(Array.from(array.data as Float32Array), [1, 2, 3, 4, 5, 6]);
});

test('a Fortran-order 2x2x2 int64 array reads back in C order', () => {
  // element [i,j,k] = 100i + 10j + k; Fortran order runs i fastest, then j, then k.
  const values: bigint[] = [];
  for (let k = 0; k < 2; k++)
    for (let j = 0; j < 2; j++) for (let i = 0; i < 2; i++) values.push(BigInt(100 * i + 10 * j + k));
  const body = new Uint8Array(new BigInt64Array(values).buffer);
  const array = parseNpy(npyBytes("{'descr': '<i8', 'fortran_order': True, 'shape': (2, 2, 2), }", body));
  assert.deepEqual(Array.from(array.data as BigInt64Array, Number), [0, 1, 10, 11, 100, 101, 110, 111]);
});

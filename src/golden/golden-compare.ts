/**
 * @file Comparison of a computed array with a reference array: shapes must be equal, integer references must match
 * exactly, floats must satisfy `|got - want| <= atol + rtol * |want|` (NaN only matches NaN). On failure the detail
 * names the worst element (largest excess over its tolerance) and how many elements failed.
 */
import { sameShape } from './golden-case.js';

export interface CompareResult {
  readonly ok: boolean;
  readonly detail: string;
}

/** Flat C-order index -> `[i, j, ...]` text. */
function position(index: number, shape: readonly number[]): string {
  const coordinates: number[] = [];
  let rest = index;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const size = shape[axis]!;
    coordinates.unshift(rest % size);
    rest = Math.floor(rest / size);
  }
  return `[${coordinates.join(',')}]`;
}

export function compareArrays(
  name: string,
  got: { readonly shape: readonly number[]; readonly data: ArrayLike<number> },
  want: { readonly shape: readonly number[]; readonly data: ArrayLike<number>; readonly integer: boolean },
  atol: number,
  rtol: number,
): CompareResult {
  if (!sameShape(got.shape, want.shape)) {
    return { ok: false, detail: `${name}: shape [${got.shape.join(',')}] != expected [${want.shape.join(',')}]` };
  }
  if (got.data.length !== want.data.length) {
    return {
      ok: false,
      detail: `${name}: ${got.data.length} values for shape [${got.shape.join(',')}] (expected ${want.data.length})`,
    };
  }
  const exact = want.integer || (atol === 0 && rtol === 0);
  let failures = 0;
  let worst = -1;
  let worstExcess = -Infinity;
  for (let i = 0; i < want.data.length; i++) {
    const g = got.data[i]!;
    const w = want.data[i]!;
    let excess: number;
    if (Number.isNaN(w) || Number.isNaN(g)) excess = Number.isNaN(w) && Number.isNaN(g) ? -1 : Infinity;
    else if (exact) excess = g === w ? -1 : Math.abs(g - w);
    else excess = Math.abs(g - w) - (atol + rtol * Math.abs(w));
    if (excess > 0) {
      failures++;
      if (excess > worstExcess) {
        worstExcess = excess;
        worst = i;
      }
    }
  }
  if (failures === 0) return { ok: true, detail: `${name}: ok` };
  const g = got.data[worst]!;
  const w = want.data[worst]!;
  const tolerance = exact ? 'exact' : `tolerance ${(atol + rtol * Math.abs(w)).toExponential(2)}`;
  return {
    ok: false,
    detail: `${name}: ${failures} of ${want.data.length} values differ; worst at ${position(worst, want.shape)}: got ${g}, want ${w} (${tolerance})`,
  };
}

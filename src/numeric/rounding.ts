/**
 * @file Python/NumPy/PyTorch numeric semantics that JavaScript lacks: round-half-to-even and the exact element
 * formulas of `torch.linspace` (float32 and integer dtypes) and `np.linspace` (float64). Frame and token index
 * rules are derived from these, so they must match the reference implementations bit for bit.
 */

/** Python `round()`, `np.round`, `torch.round`: ties go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x - Math.trunc(x)) === 0.5) return 2 * Math.round(x / 2);
  return r;
}

/**
 * `torch.linspace(start, end, steps)` with dtype float32 on CPU: the step is computed in float32, element `i` is
 * `start + step*i` for `i < steps/2` and `end - step*(steps-1-i)` otherwise, every operation rounded to float32.
 */
export function torchLinspaceF32(start: number, end: number, steps: number): Float32Array {
  const out = new Float32Array(steps);
  if (steps === 1) {
    out[0] = start;
    return out;
  }
  const f = Math.fround;
  const s = f(start);
  const e = f(end);
  const step = f(f(e - s) / (steps - 1));
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) {
    out[i] = i < half ? f(s + f(step * i)) : f(e - f(step * (steps - 1 - i)));
  }
  return out;
}

/**
 * `torch.linspace(start, end, steps, dtype=torch.int*)`: the step is computed in double, the same symmetric
 * formula applies, and the result is truncated toward zero.
 */
export function torchLinspaceInt(start: number, end: number, steps: number): number[] {
  if (steps === 1) return [Math.trunc(start)];
  const step = (end - start) / (steps - 1);
  const half = Math.floor(steps / 2);
  const out: number[] = [];
  for (let i = 0; i < steps; i++) {
    out.push(Math.trunc(i < half ? start + step * i : end - step * (steps - 1 - i)));
  }
  return out;
}

/** `np.linspace(start, stop, num)` in float64 with the endpoint forced to `stop`. */
export function npLinspace(start: number, stop: number, num: number): number[] {
  if (num <= 0) return [];
  if (num === 1) return [start];
  const div = num - 1;
  const delta = stop - start;
  const step = delta / div;
  const out: number[] = [];
  for (let i = 0; i < num; i++) out.push(step === 0 ? (i / div) * delta + start : i * step + start);
  out[num - 1] = stop;
  return out;
}

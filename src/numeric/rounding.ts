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
 * `torch.linspace(start, end, steps)` in float32 exactly as PyTorch 1.13's CPU kernel computes it on an AVX2 build
 * (aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp, `linspace_kernel` through `cpu_serial_kernel_vec`):
 * `step = (end - start) / (steps - 1)` in float32, `halfway = steps div 2`; the output is produced in blocks of two
 * 8-lane vectors while 16 elements remain, then element by element. Element (and vector base) `idx` is
 * `start + step*idx` (idx < halfway) or `end - step*(steps-1-idx)` (otherwise), compiled as one fused multiply-add
 * (a single rounding); lane `l` of a vector is `base + l*step` rounded op by op. A vector takes the branch of its
 * first element. The plain op-by-op scalar formula does not reproduce the reference vectors (TS-LLaVA's 2880
 * indices over 50x576 tokens differ at positions 1759 and 2399). Steps above PyTorch's parallel grain (32768)
 * would split across threads; not modelled.
 */
export function torchLinspaceF32(start: number, end: number, steps: number): Float32Array {
  if (!Number.isInteger(steps) || steps < 0)
    throw new RangeError(`linspace steps must be a non-negative integer, got ${steps}`);
  const out = new Float32Array(steps);
  if (steps === 0) return out;
  const f = Math.fround;
  const s = f(start);
  const e = f(end);
  if (steps === 1) {
    out[0] = s;
    return out;
  }
  const lanes = 8;
  const step = f(f(e - s) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  // The products are exact in float64 (a 24-bit step times a small integer) and so are the sums at these
  // magnitudes, so one fround models the fused multiply-add.
  const scalar = (index: number): number => (index < halfway ? f(s + step * index) : f(e - step * (steps - index - 1)));
  let index = 0;
  for (; index <= steps - 2 * lanes; index += 2 * lanes) {
    for (const vectorStart of [index, index + lanes]) {
      const base = scalar(vectorStart);
      for (let lane = 0; lane < lanes; lane++) out[vectorStart + lane] = f(base + f(lane * step));
    }
  }
  for (; index < steps; index++) out[index] = scalar(index);
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

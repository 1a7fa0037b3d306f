/**
 * @file `torch.linspace(start, end, steps)` in float32 exactly as PyTorch 1.13's CPU kernel computes it on an AVX2
 * build (aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp, `linspace_kernel` through `cpu_serial_kernel_vec`):
 * `step = (end - start) / (steps - 1)` in float32, `halfway = steps div 2`; the output is produced in blocks of two
 * 8-lane vectors while 16 elements remain, then element by element. Element (and vector base) `idx` is
 * `start + step*idx` (idx < halfway) or `end - step*(steps-1-idx)` (otherwise), compiled as one fused
 * multiply-add (a single rounding); lane `l` of a vector is `base + l*step` rounded op by op (`l*step`, then the
 * sum). A vector takes the branch of its first element. Verified against torch 1.13 (AVX2 build) for
 * many sizes; the plain op-by-op scalar formula does not reproduce the reference vectors (TS-LLaVA's 2880 indices
 * over 50x576 tokens differ at positions 1759 and 2399).
 * Steps above PyTorch's parallel grain (32768) would split across threads; not modelled.
 */

import { roundHalfEven as roundHalf } from '../numeric/rounding.js';

const lanes = 8;

export function torchLinspaceF32Exact(start: number, end: number, steps: number): Float32Array {
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`linspace steps must be a non-negative integer, got ${steps}`);
  const out = new Float32Array(steps);
  if (steps === 0) return out;
  const f = Math.fround;
  const s = f(start);
  const e = f(end);
  if (steps === 1) {
    out[0] = s;
    return out;
  }
  const step = f(f(e - s) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  // The products are exact in float64 (24-bit step times a small integer) and so are the sums for these
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

/** `torch.linspace(0, total-1, count).round().long().clamp(0, total-1)` (TS-LLaVA's thumbnail frames and token sampling). */
export function torchLinspaceRoundIndices(total: number, count: number): number[] {
  return Array.from(torchLinspaceF32Exact(0, total - 1, count), (v) => Math.min(total - 1, Math.max(0, roundHalf(v))));
}

/** `torch.linspace(0, total, count+1).to(torch.int32)[:-1]` (SlowFast-LLaVA's slow frames). */
export function torchLinspaceTruncIndices(total: number, count: number): number[] {
  return Array.from(torchLinspaceF32Exact(0, total, count + 1), (v) => Math.trunc(v)).slice(0, -1);
}

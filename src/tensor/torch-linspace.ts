/**
 * @file Index vectors derived from float32 `torch.linspace` (see `torchLinspaceF32` in src/numeric/rounding.ts, which
 * emulates PyTorch's vectorised CPU kernel bit for bit).
 */

import { roundHalfEven as roundHalf, torchLinspaceF32 } from '../numeric/rounding.js';

/** `torch.linspace(0, total-1, count).round().long().clamp(0, total-1)` (TS-LLaVA's thumbnail frames and token sampling). */
export function torchLinspaceRoundIndices(total: number, count: number): number[] {
  return Array.from(torchLinspaceF32(0, total - 1, count), (v) => Math.min(total - 1, Math.max(0, roundHalf(v))));
}

/** `torch.linspace(0, total, count+1).to(torch.int32)[:-1]` (SlowFast-LLaVA's slow frames). */
export function torchLinspaceTruncIndices(total: number, count: number): number[] {
  return Array.from(torchLinspaceF32(0, total, count + 1), (v) => Math.trunc(v)).slice(0, -1);
}

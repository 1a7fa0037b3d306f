/**
 * @file The named frame-index rules of the papers' code: which frames each strategy samples from a video of
 * `total` frames. Names and definitions follow `shared/golden/README.md`; every rule is checked against the
 * reference vectors generated with real NumPy/PyTorch.
 */
import { npLinspace, roundHalfEven } from '../numeric/rounding.js';
import { torchLinspaceRoundIndices, torchLinspaceTruncIndices } from '../tensor/torch-linspace.js';

export const frameIndexRules = [
  'pllava_demo',
  'pllava_eval',
  'seq_frames',
  'igvlm',
  'np_linspace_int',
  'torch_linspace_round',
  'torch_linspace_trunc',
] as const;

export type FrameIndexRule = (typeof frameIndexRules)[number];

/** Which paper's code each rule reproduces (for --help and docs). */
export const frameIndexRuleOrigin: Readonly<Record<FrameIndexRule, string>> = {
  pllava_demo: 'PLLaVA demo (ChatPllava.get_index)',
  pllava_eval: 'PLLaVA benchmarks (EvalDataset.get_index)',
  seq_frames: 'TS-LLaVA / SlowFast-LLaVA (get_seq_frames)',
  igvlm: 'IG-VLM (k * floor(N / k))',
  np_linspace_int: 'VideoLLaMB / SHI-Labs (np.linspace(0, N-1, k, dtype=int))',
  torch_linspace_round: 'TS-LLaVA thumbnail (torch.linspace(0, N-1, k).round())',
  torch_linspace_trunc: 'SlowFast-LLaVA slow frames (torch.linspace(0, N, k+1).int()[:-1])',
};

export function isFrameIndexRule(name: string): name is FrameIndexRule {
  return (frameIndexRules as readonly string[]).includes(name);
}

/**
 * Frame indices chosen by `rule` from `total` frames. The result has `count` entries except for `seq_frames`,
 * which takes `min(total, count)` as its authors' code does. Throws RangeError where the authors' code would fail
 * (e.g. igvlm with total < count divides into empty intervals and repeats frame 0).
 */
export function frameIndices(rule: FrameIndexRule, total: number, count: number): number[] {
  if (!Number.isInteger(total) || total < 1)
    throw new RangeError(`total frames must be a positive integer, got ${total}`);
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`frame count must be a positive integer, got ${count}`);
  const ks = Array.from({ length: count }, (_, k) => k);
  switch (rule) {
    case 'pllava_demo': {
      const seg = (total - 1) / count;
      const start = Math.trunc(seg / 2);
      return ks.map((k) => start + Math.trunc(roundHalfEven(seg * k)));
    }
    case 'pllava_eval': {
      const seg = (total - 1) / count;
      return ks.map((k) => Math.trunc(seg / 2 + roundHalfEven(seg * k)));
    }
    case 'seq_frames': {
      const n = Math.min(total, count);
      const seg = (total - 1) / n;
      return Array.from({ length: n }, (_, i) => {
        const a = roundHalfEven(seg * i);
        const b = roundHalfEven(seg * (i + 1));
        return Math.floor((a + b) / 2);
      });
    }
    case 'igvlm': {
      const interval = Math.floor(total / count);
      return ks.map((k) => k * interval);
    }
    case 'np_linspace_int':
      return npLinspace(0, total - 1, count).map((v) => Math.trunc(v));
    case 'torch_linspace_round':
      return torchLinspaceRoundIndices(total, count);
    case 'torch_linspace_trunc':
      return torchLinspaceTruncIndices(total, count);
  }
}

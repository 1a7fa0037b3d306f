/**
 * @file Picks the next token from last-position logits: greedy argmax, or sampling with temperature, top-k and top-p
 * (nucleus), after a repetition penalty (HF semantics: positive logits divided, negative multiplied, for every token
 * id already in the sequence). Sampling uses a seedable generator.
 */
import { seededRandom } from './seeded-random.js';

export interface SamplingOptions {
  /** 0 or absent = greedy. */
  readonly temperature?: number;
  /** Keep the k most likely tokens (0 or absent = all). */
  readonly topK?: number;
  /** Keep the smallest set of tokens whose probability reaches p (1 or absent = all). */
  readonly topP?: number;
  /** > 1 discourages tokens already present; 1 or absent = off. */
  readonly repetitionPenalty?: number;
  /** Seed of the sampling generator (default 0). */
  readonly seed?: number;
}

export type TokenSampler = (logits: Float32Array, seen: ReadonlySet<number>) => number;

/** Index of the largest value (first on ties, like torch.argmax). */
export function argmax(values: Float32Array): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!;
    if (value > bestValue) {
      bestValue = value;
      best = index;
    }
  }
  return best;
}

/** Applies the repetition penalty in place. */
export function applyRepetitionPenalty(logits: Float32Array, seen: ReadonlySet<number>, penalty: number): void {
  if (penalty === 1) return;
  for (const id of seen) {
    if (id < 0 || id >= logits.length) continue;
    const value = logits[id]!;
    logits[id] = value > 0 ? value / penalty : value * penalty;
  }
}

/** Builds a sampler for `options`. */
export function createTokenSampler(options: SamplingOptions = {}): TokenSampler {
  const temperature = options.temperature ?? 0;
  const penalty = options.repetitionPenalty ?? 1;
  if (!(penalty > 0)) throw new RangeError(`repetition penalty must be > 0, got ${penalty}`);
  if (temperature < 0) throw new RangeError(`temperature must be >= 0, got ${temperature}`);
  const random = seededRandom(options.seed ?? 0);
  return (logits, seen) => {
    applyRepetitionPenalty(logits, seen, penalty);
    if (temperature === 0) return argmax(logits);
    const order = Array.from(logits.keys()).sort((a, b) => logits[b]! - logits[a]!);
    const topK = options.topK && options.topK > 0 ? Math.min(options.topK, order.length) : order.length;
    const candidates = order.slice(0, topK);
    const maximum = logits[candidates[0]!]!;
    const weights = candidates.map((id) => Math.exp((logits[id]! - maximum) / temperature));
    let total = weights.reduce((sum, weight) => sum + weight, 0);
    const topP = options.topP ?? 1;
    let keep = candidates.length;
    if (topP < 1) {
      let cumulative = 0;
      for (let index = 0; index < candidates.length; index++) {
        cumulative += weights[index]! / total;
        if (cumulative >= topP) {
          keep = index + 1;
          break;
        }
      }
      total = weights.slice(0, keep).reduce((sum, weight) => sum + weight, 0);
    }
    let draw = random() * total;
    for (let index = 0; index < keep; index++) {
      draw -= weights[index]!;
      if (draw <= 0) return candidates[index]!;
    }
    return candidates[keep - 1]!;
  };
}

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
    // Native numeric sorts of copies give the thresholds; no per-step comparator sort over the vocabulary.
    const vocabulary = logits.length;
    const topK = options.topK && options.topK > 0 ? Math.min(options.topK, vocabulary) : vocabulary;
    const maximum = logits[argmax(logits)]!;
    const kthLogit = topK < vocabulary ? Float32Array.from(logits).sort()[vocabulary - topK]! : -Infinity;
    const weights = new Float64Array(vocabulary);
    let total = 0;
    for (let id = 0; id < vocabulary; id++) {
      const logit = logits[id]!;
      if (logit < kthLogit) continue;
      const weight = Math.exp((logit - maximum) / temperature);
      weights[id] = weight;
      total += weight;
    }
    const topP = options.topP ?? 1;
    if (topP < 1) {
      // Smallest set of most likely tokens whose mass reaches topP: keep weights >= the weight where it is reached.
      const sorted = Float64Array.from(weights).sort();
      let cumulative = 0;
      let threshold = 0;
      for (let index = sorted.length - 1; index >= 0; index--) {
        cumulative += sorted[index]!;
        if (cumulative >= topP * total) {
          threshold = sorted[index]!;
          break;
        }
      }
      total = 0;
      for (let id = 0; id < vocabulary; id++) {
        if (weights[id]! < threshold) weights[id] = 0;
        total += weights[id]!;
      }
    }
    let draw = random() * total;
    let last = 0;
    for (let id = 0; id < vocabulary; id++) {
      const weight = weights[id]!;
      if (weight === 0) continue;
      last = id;
      draw -= weight;
      if (draw <= 0) return id;
    }
    return last;
  };
}

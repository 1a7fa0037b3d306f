/**
 * @file ToMe bipartite soft matching as B-VLLM uses it (`bvlm/model/merge.py`, zhuqiangLu/B-VLLM@51ccbf0:
 * `multi_layer_merge`, `bipartite_soft_matching`, `merge_wavg`). Tokens are `[n, c]` row-major.
 *
 * One round with `r`: even rows are sources, odd rows destinations; each source's best destination is its highest
 * cosine similarity; sources are ranked by that score, descending; the first `r` are summed into their destination
 * and every destination is divided by its count (sizes start at 1 each round: they are not carried over, so repeated
 * rounds average unweighted, as in the reference). Output: unmerged sources in ranked order, then all destinations.
 * `tomeMerge` halves while `n div 2 > target`, then merges the remainder.
 *
 * Deviations: ties in the ranking are broken by the lower source index (torch's argsort is not stable), and a zero
 * vector has similarity 0 to everything (the reference divides by a zero norm and gets NaN).
 */

/** One bipartite merging round removing `r` tokens from `tokens` (`n x dim`); returns `(n - r) x dim`. */
export function bipartiteMergeRound(tokens: Float32Array, dim: number, r: number): Float32Array {
  const n = tokens.length / dim;
  if (!Number.isInteger(n)) throw new RangeError(`token array length ${tokens.length} is not a multiple of ${dim}`);
  const sourceCount = Math.ceil(n / 2);
  const destinationCount = Math.floor(n / 2);
  if (r <= 0) return tokens.slice();
  if (r > sourceCount || destinationCount === 0) throw new RangeError(`cannot merge ${r} of ${n} tokens in one round`);
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    const base = i * dim;
    for (let d = 0; d < dim; d++) sum += tokens[base + d]! * tokens[base + d]!;
    norms[i] = Math.sqrt(sum);
  }
  const bestScore = new Float64Array(sourceCount);
  const bestDestination = new Int32Array(sourceCount);
  for (let s = 0; s < sourceCount; s++) {
    const a = 2 * s * dim;
    const normA = norms[2 * s]!;
    let best = -Infinity;
    let bestIndex = 0;
    for (let j = 0; j < destinationCount; j++) {
      const b = (2 * j + 1) * dim;
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += tokens[a + d]! * tokens[b + d]!;
      const denominator = normA * norms[2 * j + 1]!;
      const score = denominator > 0 ? dot / denominator : 0;
      if (score > best) {
        best = score;
        bestIndex = j;
      }
    }
    bestScore[s] = best;
    bestDestination[s] = bestIndex;
  }
  const order = Array.from({ length: sourceCount }, (_, i) => i);
  order.sort((x, y) => bestScore[y]! - bestScore[x]! || x - y);
  const sums = new Float64Array(destinationCount * dim);
  const counts = new Float64Array(destinationCount).fill(1);
  for (let j = 0; j < destinationCount; j++) {
    const from = (2 * j + 1) * dim;
    for (let d = 0; d < dim; d++) sums[j * dim + d] = tokens[from + d]!;
  }
  for (let k = 0; k < r; k++) {
    const s = order[k]!;
    const j = bestDestination[s]!;
    const from = 2 * s * dim;
    for (let d = 0; d < dim; d++) sums[j * dim + d]! += tokens[from + d]!;
    counts[j]! += 1;
  }
  const out = new Float32Array((n - r) * dim);
  let o = 0;
  for (let k = r; k < sourceCount; k++) {
    const from = 2 * order[k]! * dim;
    out.set(tokens.subarray(from, from + dim), o);
    o += dim;
  }
  for (let j = 0; j < destinationCount; j++) {
    const scale = 1 / counts[j]!;
    for (let d = 0; d < dim; d++) out[o + d] = sums[j * dim + d]! * scale;
    o += dim;
  }
  return out;
}

/** `multi_layer_merge(x, target)`: reduces `tokens` (`n x dim`) to `min(n, target)` tokens. */
export function tomeMerge(tokens: Float32Array, dim: number, target: number): Float32Array {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`token dimension must be a positive integer, got ${dim}`);
  if (!Number.isInteger(target) || target < 1)
    throw new RangeError(`ToMe target must be a positive integer, got ${target}`);
  let current = tokens;
  let n = current.length / dim;
  if (!Number.isInteger(n)) throw new RangeError(`token array length ${tokens.length} is not a multiple of ${dim}`);
  while (Math.floor(n / 2) > target) {
    current = bipartiteMergeRound(current, dim, Math.floor(n / 2));
    n = current.length / dim;
  }
  const offset = n - target;
  if (offset <= 0) return current === tokens ? tokens.slice() : current;
  return bipartiteMergeRound(current, dim, offset);
}

/**
 * @file Dot products and cosine similarities between rows of flat Float32Arrays (float64 accumulation). The cosine
 * follows `torch.cosine_similarity`: `x·y / max(|x|·|y|, 1e-8)`, so a zero vector has similarity 0, not NaN.
 */

const epsilon = 1e-8;

/** `a[aOffset..+length] · b[bOffset..+length]`. */
export function dotProduct(a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, length: number): number {
  let sum = 0;
  for (let i = 0; i < length; i++) sum += a[aOffset + i]! * b[bOffset + i]!;
  return sum;
}

/** Cosine similarity of two vectors stored in flat arrays. */
export function cosineSimilarity(
  a: Float32Array,
  aOffset: number,
  b: Float32Array,
  bOffset: number,
  length: number,
): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < length; i++) {
    const x = a[aOffset + i]!;
    const y = b[bOffset + i]!;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return ab / Math.max(Math.sqrt(aa) * Math.sqrt(bb), epsilon);
}

/** Euclidean norm of each of the `rows` rows of `data` (`rows x dim`). */
export function rowNorms(data: Float32Array, rows: number, dim: number): Float64Array {
  const norms = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    const base = r * dim;
    for (let d = 0; d < dim; d++) sum += data[base + d]! * data[base + d]!;
    norms[r] = Math.sqrt(sum);
  }
  return norms;
}

/** Float32 cosine similarity of each row with the next: `s[i] = cos(row i, row i+1)`, length `rows - 1`. */
export function consecutiveCosineSimilarities(data: Float32Array, rows: number, dim: number): Float32Array {
  const out = new Float32Array(Math.max(0, rows - 1));
  for (let i = 0; i + 1 < rows; i++) out[i] = cosineSimilarity(data, i * dim, data, (i + 1) * dim, dim);
  return out;
}

/** Cosine similarity of every row of `data` (`rows x dim`) with one query vector. */
export function cosineToQuery(data: Float32Array, rows: number, dim: number, query: Float32Array): Float64Array {
  if (query.length !== dim) throw new RangeError(`query has ${query.length} values, expected ${dim}`);
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) out[r] = cosineSimilarity(data, r * dim, query, 0, dim);
  return out;
}

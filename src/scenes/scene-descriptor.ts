/**
 * @file The descriptor a scene detector compares between frames: the frame's HSV histogram, combined with the
 * model's features (the frame's mean token) when a model encodes the frames. Each part is scaled to unit length
 * and weighted by the square root of its weight before they are concatenated, so the cosine similarity of two
 * combined descriptors is the weighted mean of the parts' cosine similarities (`w * Bhattacharyya + (1 - w) *
 * cos(model)`): the colour evidence and the learned evidence add up instead of one drowning the other.
 */
import { StrategyInputError } from '../errors/index.js';

export interface DescriptorPart {
  readonly vector: Float32Array;
  readonly weight: number;
}

/** Concatenates unit-length parts scaled by `sqrt(weight / sum of weights)`. */
export function combineDescriptors(parts: readonly DescriptorPart[]): Float32Array {
  const used = parts.filter((part) => part.weight > 0);
  if (used.length === 0) throw new StrategyInputError('scene-descriptor', 'no descriptor part has a positive weight');
  const weights = used.reduce((sum, part) => sum + part.weight, 0);
  const combined = new Float32Array(used.reduce((sum, part) => sum + part.vector.length, 0));
  let offset = 0;
  for (const part of used) {
    let norm = 0;
    for (const value of part.vector) norm += value * value;
    norm = Math.sqrt(norm);
    const scale = norm > 0 ? Math.sqrt(part.weight / weights) / norm : 0;
    for (let at = 0; at < part.vector.length; at++) combined[offset + at] = part.vector[at]! * scale;
    offset += part.vector.length;
  }
  return combined;
}

/** `1 - cosine similarity` of two descriptors of the same length (1 when either is all zeros). */
export function descriptorDistance(first: Float32Array, second: Float32Array): number {
  if (first.length !== second.length)
    throw new StrategyInputError('scene-descriptor', `descriptors of ${first.length} and ${second.length} values`);
  let dot = 0;
  let firstNorm = 0;
  let secondNorm = 0;
  for (let at = 0; at < first.length; at++) {
    dot += first[at]! * second[at]!;
    firstNorm += first[at]! * first[at]!;
    secondNorm += second[at]! * second[at]!;
  }
  if (firstNorm === 0 || secondNorm === 0) return 1;
  return Math.min(2, Math.max(0, 1 - dot / Math.sqrt(firstNorm * secondNorm)));
}

/** What a detector compares: the HSV histogram, the model's mean token, or both (weighted). */
export type SceneDescriptorKind = 'hsv' | 'model' | 'hsv+model';

/** Weight of the model's part in `hsv+model` (bench/scenes.ts: 0.5 removed the last false cut in continuous shots). */
export const defaultModelWeight = 0.5;

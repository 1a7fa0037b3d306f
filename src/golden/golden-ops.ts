/**
 * @file The golden ops: how each `op` of the reference-vector format maps its inputs and params onto vidtok's
 * implementation and back onto named output arrays. Adding an op is one entry in `goldenOps`.
 */
import { featureGrid, type FeatureGrid } from '../core/feature-grid.js';
import { frameIndices, isFrameIndexRule } from '../sampling/frame-indices.js';
import { bvllmTemporalMerge, tomeMerge } from '../strategies/b-vllm/b-vllm-approximation.js';
import { igVlmGrid } from '../strategies/ig-vlm/ig-vlm-grid.js';
import type { PlanarFrames } from '../strategies/planar-frames.js';
import { pllavaPool } from '../strategies/pllava/pllava-pool.js';
import { sceneTilling } from '../strategies/scene-tilling/scene-tilling.js';
import { slowFast } from '../strategies/slowfast/slowfast-llava.js';
import { slowFastShi } from '../strategies/slowfast/slowfast-shi.js';
import { spatialPool, type SpatialPoolMode } from '../strategies/spatial-pool.js';
import { tsLlavaSample, tsLlavaThumbnail } from '../strategies/ts-llava/ts-llava-tokens.js';
import type { GoldenOutput, GoldenTensor } from './golden-case.js';

export type GoldenOp = (
  inputs: Readonly<Record<string, GoldenTensor>>,
  params: Readonly<Record<string, unknown>>,
) => Record<string, GoldenOutput>;

function input(inputs: Readonly<Record<string, GoldenTensor>>, name: string, rank: number): GoldenTensor {
  const tensor = inputs[name];
  if (tensor === undefined) throw new Error(`missing input '${name}'`);
  if (tensor.shape.length !== rank)
    throw new Error(`input '${name}' has rank ${tensor.shape.length}, expected ${rank}`);
  return tensor;
}

function integerParam(params: Readonly<Record<string, unknown>>, name: string): number {
  const value = params[name];
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw new Error(`param '${name}' must be an integer, got ${JSON.stringify(value)}`);
  return value;
}

function numberParam(params: Readonly<Record<string, unknown>>, name: string): number {
  const value = params[name];
  if (typeof value !== 'number') throw new Error(`param '${name}' must be a number, got ${JSON.stringify(value)}`);
  return value;
}

function pairParam(params: Readonly<Record<string, unknown>>, name: string): [number, number] {
  const value = params[name];
  if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => Number.isInteger(v))) {
    throw new Error(`param '${name}' must be two integers, got ${JSON.stringify(value)}`);
  }
  return [value[0] as number, value[1] as number];
}

/** `[T, h, w, D]` tensor -> grid with timestamps = frame positions. */
function gridOf(tensor: GoldenTensor): FeatureGrid {
  const [T, h, w, D] = tensor.shape as [number, number, number, number];
  const positions = Array.from({ length: T }, (_, t) => t);
  return featureGrid(T, h, w, D, tensor.data, positions, positions);
}

function tokens(grid: FeatureGrid): GoldenOutput {
  return { shape: [grid.T * grid.h * grid.w, grid.D], data: grid.data };
}

function vector(values: readonly number[]): GoldenOutput {
  return { shape: [values.length], data: values };
}

function planarFrames(tensor: GoldenTensor): PlanarFrames {
  const [T, channels, height, width] = tensor.shape as [number, number, number, number];
  return { T, channels, height, width, data: tensor.data };
}

export const goldenOps: Readonly<Record<string, GoldenOp>> = {
  frame_indices: (_inputs, params) => {
    const rule = params['rule'];
    if (typeof rule !== 'string' || !isFrameIndexRule(rule))
      throw new Error(`unknown frame index rule ${JSON.stringify(rule)}`);
    return { indices: vector(frameIndices(rule, integerParam(params, 'total'), integerParam(params, 'count'))) };
  },
  pllava_pool: (inputs, params) => {
    const shape = params['shape'];
    if (!Array.isArray(shape) || shape.length !== 3) throw new Error(`param 'shape' must be [T, h, w]`);
    const pooled = pllavaPool(gridOf(input(inputs, 'x', 4)), shape as [number, number, number]);
    return { y: { shape: [pooled.T, pooled.h, pooled.w, pooled.D], data: pooled.data } };
  },
  slowfast: (inputs, params) => {
    const result = slowFast(gridOf(input(inputs, 'x', 4)), {
      slowFrames: integerParam(params, 'slow_frames'),
      fastGrid: pairParam(params, 'fast_grid'),
    });
    const all = new Float32Array(result.slow.data.length + result.fast.data.length);
    all.set(result.slow.data, 0);
    all.set(result.fast.data, result.slow.data.length);
    const count = all.length / result.slow.D;
    return { slow_indices: vector(result.slowIndices), tokens: { shape: [count, result.slow.D], data: all } };
  },
  ts_sample: (inputs, params) => {
    const x = input(inputs, 'x', 3);
    const [T, P, D] = x.shape as [number, number, number];
    const positions = Array.from({ length: T }, (_, t) => t);
    const result = tsLlavaSample(featureGrid(T, 1, P, D, x.data, positions, positions), integerParam(params, 'count'));
    return { indices: vector(result.indices), tokens: { shape: [result.count, D], data: result.tokens } };
  },
  thumbnail: (inputs, params) => {
    const result = tsLlavaThumbnail(planarFrames(input(inputs, 'x', 4)), integerParam(params, 'frames'));
    const { channels, height, width, data } = result.image;
    return {
      indices: vector(result.indices),
      grid: vector([result.rows, result.cols]),
      image: { shape: [channels, height, width], data },
    };
  },
  image_grid: (inputs, params) => {
    const result = igVlmGrid(planarFrames(input(inputs, 'x', 4)), integerParam(params, 'frames'));
    const { channels, height, width, data } = result.image;
    return { indices: vector(result.indices), image: { shape: [channels, height, width], data } };
  },
  bvllm_temporal_merge: (inputs, params) => {
    const w = input(inputs, 'w', 2);
    const y = input(inputs, 'y', 3);
    const result = bvllmTemporalMerge(w.data, w.shape[1]!, y.data, numberParam(params, 'threshold'));
    return {
      keep: vector(result.keep),
      y: { shape: [result.keep.length, y.shape[1]!, y.shape[2]!], data: result.values },
      budget: vector([result.budget]),
    };
  },
  tome_merge: (inputs, params) => {
    const x = input(inputs, 'x', 2);
    const dim = x.shape[1]!;
    const y = tomeMerge(x.data, dim, integerParam(params, 'target'));
    return { y: { shape: [y.length / dim, dim], data: y } };
  },
  scene_tilling: (inputs, params) => {
    const features = input(inputs, 'features', 2);
    const [T, D] = features.shape as [number, number];
    const positions = Array.from({ length: T }, (_, t) => t);
    const descriptors = { T, D, data: features.data, timestamps: positions, frameIndices: positions };
    const options =
      params['k'] !== undefined && params['k'] !== null
        ? { k: integerParam(params, 'k') }
        : { alpha: numberParam(params, 'alpha'), cap: integerParam(params, 'cap') };
    const result = sceneTilling(descriptors, options);
    return {
      similarity: { shape: [result.similarity.length], data: result.similarity },
      depth: { shape: [result.depth.length], data: result.depth },
      boundaries: vector(result.boundaries),
    };
  },
  slowfast_shi: (inputs, params) => {
    const result = slowFastShi(gridOf(input(inputs, 'x', 4)), {
      spatialStride: integerParam(params, 'spatial_stride'),
      temporalStride: integerParam(params, 'temporal_stride'),
      minFastFrames: integerParam(params, 'min_fast_frames'),
    });
    return { fast: tokens(result.fast), slow: tokens(result.slow) };
  },
  spatial_pool: (inputs, params) => {
    const mode = params['mode'];
    if (mode !== 'area' && mode !== 'bilinear')
      throw new Error(`param 'mode' must be area or bilinear, got ${JSON.stringify(mode)}`);
    const pooled = spatialPool(gridOf(input(inputs, 'x', 4)), pairParam(params, 'grid'), mode as SpatialPoolMode);
    return { y: { shape: [pooled.T, pooled.h, pooled.w, pooled.D], data: pooled.data } };
  },
};

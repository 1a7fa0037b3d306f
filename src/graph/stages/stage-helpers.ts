/**
 * @file Small helpers shared by the stage descriptors: caps checks that throw GraphNegotiationError naming the stage,
 * payload narrowing, feature-grid concatenation and turning grids into token segments.
 */
import { featureGrid, type FeatureGrid } from '../../core/feature-grid.js';
import type { RgbImage, VideoFrame } from '../../core/frame.js';
import type { VisualRole, VisualSegment } from '../../core/token-stream.js';
import { GraphNegotiationError } from '../../errors/index.js';
import type { Caps, CapsKind, CapsOf } from '../caps.js';
import type { Payload, PayloadOf } from '../payload.js';

/** The caps on `port`, checked to be of `kind`; throws GraphNegotiationError naming `stage` otherwise. */
export function expectCaps<K extends CapsKind>(
  stage: string,
  inputs: Readonly<Record<string, Caps>>,
  port: string,
  kind: K,
): CapsOf<K> {
  const caps = inputs[port];
  if (caps === undefined) throw new GraphNegotiationError(stage, `input port '${port}' is not connected`);
  if (caps.kind !== kind)
    throw new GraphNegotiationError(stage, `input port '${port}' needs ${kind} but receives ${caps.kind}`);
  return caps as CapsOf<K>;
}

/** The payload on `port`, checked to be of `kind` (a bug in the graph runner otherwise). */
export function expectPayload<K extends CapsKind>(
  stage: string,
  inputs: Readonly<Record<string, Payload>>,
  port: string,
  kind: K,
): PayloadOf<K> {
  const payload = inputs[port];
  if (payload === undefined || payload.kind !== kind) {
    throw new TypeError(
      `stage '${stage}': input port '${port}' expected a ${kind} payload, got ${payload?.kind ?? 'nothing'}`,
    );
  }
  return payload as PayloadOf<K>;
}

export { throwIfAborted } from '../../errors/throw-if-aborted.js';

/** Throws GraphNegotiationError naming `stage` when the frame source gives fewer than `needed` frames. */
export function expectFrameCount(stage: string, frames: CapsOf<'frames'>, needed: number): void {
  if (frames.count < needed) {
    throw new GraphNegotiationError(stage, `needs at least ${needed} frames but the source gives ${frames.count}`);
  }
}

/** Concatenates grids along T (same h, w, D). */
export function concatenateGrids(grids: readonly FeatureGrid[]): FeatureGrid {
  const first = grids[0];
  if (first === undefined) throw new RangeError('cannot concatenate zero feature grids');
  if (grids.length === 1) return first;
  let T = 0;
  for (const grid of grids) {
    if (grid.h !== first.h || grid.w !== first.w || grid.D !== first.D) {
      throw new RangeError(
        `cannot concatenate grids [${first.h},${first.w},${first.D}] and [${grid.h},${grid.w},${grid.D}]`,
      );
    }
    T += grid.T;
  }
  const data = new Float32Array(T * first.h * first.w * first.D);
  let offset = 0;
  for (const grid of grids) {
    data.set(grid.data, offset);
    offset += grid.data.length;
  }
  return featureGrid(
    T,
    first.h,
    first.w,
    first.D,
    data,
    grids.flatMap((grid) => grid.timestamps),
    grids.flatMap((grid) => grid.frameIndices),
  );
}

/** One segment holding all tokens of a grid in `(t, h, w)` raster order. */
export function gridSegment(grid: FeatureGrid, role: VisualRole, isImage = false): VisualSegment {
  return {
    type: 'visual',
    role,
    tokens: grid.data,
    count: grid.T * grid.h * grid.w,
    dim: grid.D,
    timestamps: grid.timestamps,
    frameIndices: grid.frameIndices,
    layout: { t: grid.T, h: grid.h, w: grid.w },
    ...(isImage ? { isImage: true } : {}),
  };
}

/** The `image` payload of an image composed from `frames[indices]` (thumbnail, grid), with where it came from. */
export function composedImagePayload(
  image: RgbImage,
  frames: readonly VideoFrame[],
  indices: readonly number[],
): PayloadOf<'image'> {
  const chosen = indices.map((at) => frames[at]!);
  return {
    kind: 'image',
    image,
    frameIndices: chosen.map((frame) => frame.index),
    timestamps: chosen.map((frame) => frame.pts),
  };
}

/** Total token count of segments. */
export function segmentTokenCount(segments: readonly VisualSegment[]): number {
  return segments.reduce((sum, segment) => sum + segment.count, 0);
}

/** Sorted unique numbers (timestamps, frame indices of a merged segment). */
export function sortedUnique(values: Iterable<number>): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

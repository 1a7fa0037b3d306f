/**
 * @file The `encode` stage: frames → feature grid `[T, h, w, D]` through the run's encoder, in batches. It streams:
 * batches are encoded as frames arrive from the decoder, so decoding and encoding overlap.
 */
import type { VideoFrame } from '../../core/frame.js';
import type { FeatureGrid } from '../../core/feature-grid.js';
import { InputRejectedError } from '../../errors/index.js';
import { defineStage } from '../define-stage.js';
import type { PayloadOf } from '../payload.js';
import type { StageContext, StageDescriptor } from '../stage.js';
import { concatenateGrids, throwIfAborted } from './stage-helpers.js';

export interface EncodeParams {
  /** Frames per encoder call. */
  readonly batchSize: number;
}

async function encodeBatches(
  batches: AsyncIterable<readonly VideoFrame[]> | Iterable<readonly VideoFrame[]>,
  params: EncodeParams,
  context: StageContext,
): Promise<PayloadOf<'features'>> {
  const grids: FeatureGrid[] = [];
  let pending: VideoFrame[] = [];
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    throwIfAborted(context.signal, 'encode');
    const batch = pending;
    pending = [];
    grids.push(await context.encoder.encodeFrames(batch, { signal: context.signal }));
  };
  for await (const batch of batches) {
    for (const frame of batch) {
      pending.push(frame);
      if (pending.length >= params.batchSize) await flush();
    }
  }
  await flush();
  if (grids.length === 0) throw new InputRejectedError('frame source', 'delivered no frames to encode');
  return { kind: 'features', grid: concatenateGrids(grids) };
}

export const encodeStage: StageDescriptor<EncodeParams> = defineStage({
  name: 'encode',
  version: 1,
  description:
    "Encodes frames into per-frame token grids [T, h, w, D] with the run's encoder, in batches as frames arrive.",
  input: 'frames',
  output: 'features',
  properties: { batchSize: { type: 'integer', minimum: 1, maximum: 256 } },
  defaults: { batchSize: 8 },
  negotiate(frames, _params, context) {
    const { frameGrid } = context.geometry;
    return { kind: 'features', T: frames.count, h: frameGrid.h, w: frameGrid.w, D: context.encoder.dim };
  },
  async run({ frames }, params, context) {
    return encodeBatches([frames], params, context);
  },
  stream(batches, params, context) {
    return encodeBatches(batches, params, context);
  },
});

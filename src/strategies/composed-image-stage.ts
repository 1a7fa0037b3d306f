/**
 * @file `defineComposedImageStage`: the stage shape that TS-LLaVA's thumbnail and IG-VLM's grid share — `k` frames
 * (default 6) of the delivered frames composed into one RGB image, which `encode-image` then encodes. Each strategy
 * gives its own image size and its own composition (which frames, what layout); the frame-count check, the params
 * and the image payload with its provenance are written here once.
 */
import type { RgbImage, VideoFrame } from '../core/frame.js';
import { defineStage } from '../graph/define-stage.js';
import type { StageDescriptor } from '../graph/stage.js';
import { composedImagePayload, expectFrameCount } from '../graph/stages/stage-helpers.js';

export interface ComposedImageParams {
  /** Frames composed into the image (k). */
  readonly frames: number;
}

export interface ComposedImageStageDefinition {
  readonly name: string;
  readonly version: number;
  readonly description: string;
  /** Size of the composed image for `k` frames of `width` x `height`. */
  size(width: number, height: number, k: number): { width: number; height: number };
  /** The composed image and the positions (in `frames`) of the frames it shows. */
  compose(frames: readonly VideoFrame[], k: number): { image: RgbImage; indices: readonly number[] };
}

/** The descriptor of a frames → one composed image stage. */
export function defineComposedImageStage(
  definition: ComposedImageStageDefinition,
): StageDescriptor<ComposedImageParams> {
  return defineStage({
    name: definition.name,
    version: definition.version,
    description: definition.description,
    input: 'frames',
    output: 'image',
    properties: { frames: { type: 'integer', minimum: 1, maximum: 64 } },
    defaults: { frames: 6 },
    negotiate(frames, params) {
      expectFrameCount(definition.name, frames, params.frames);
      return { kind: 'image', ...definition.size(frames.width, frames.height, params.frames) };
    },
    async run({ frames }, params) {
      const composed = definition.compose(frames, params.frames);
      return composedImagePayload(composed.image, frames, composed.indices);
    },
  });
}

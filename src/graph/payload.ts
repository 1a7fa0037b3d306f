/**
 * @file Payloads: the data that flows along an edge of the stage graph, one variant per caps kind.
 */
import type { FeatureGrid, FrameDescriptors } from '../core/feature-grid.js';
import type { RgbImage, VideoFrame } from '../core/frame.js';
import type { VisualSegment } from '../core/token-stream.js';
import type { CapsKind } from './caps.js';

export type Payload =
  | { readonly kind: 'frames'; readonly frames: readonly VideoFrame[] }
  | { readonly kind: 'features'; readonly grid: FeatureGrid }
  | { readonly kind: 'descriptors'; readonly descriptors: FrameDescriptors }
  | { readonly kind: 'tokens'; readonly segments: readonly VisualSegment[] }
  | {
      readonly kind: 'image';
      readonly image: RgbImage;
      /** Frames the image was composed from. */
      readonly frameIndices: readonly number[];
      readonly timestamps: readonly number[];
    };

export type PayloadOf<K extends CapsKind> = Extract<Payload, { kind: K }>;

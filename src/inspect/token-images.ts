/**
 * @file Pictures of what a model is given: every visual segment turned back into images. With the `pixels` encoder
 * the tokens are pixels, so pooled grids decode to (blurred) frames and sampled tokens are painted back at the patch
 * they were copied from over a darkened frame; tokens that cannot be placed (merged by ToMe) become a mosaic. With a
 * model encoder the same shapes are drawn as heat maps of the per-token L2 norm, over the frame when one is known.
 * Sampled tokens are located by exact match against the recorded per-frame features (they are copies).
 */
import type { RgbImage } from '../core/frame.js';
import type { VisualSegment } from '../core/token-stream.js';
import { decodePatchTokens } from '../encoders/pixels.js';
import { resizeImageArea } from '../encoders/resize-image.js';
import { heatMapImage, normalizeValues, tokenNorms } from './heat-map.js';

export interface PixelsGeometry {
  readonly patch: number;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

export interface TokenPictureContext {
  /** Present when the tokens are pixels-encoder patches (they can be decoded). */
  readonly pixels?: PixelsGeometry;
  /** Token grid of one encoded frame. */
  readonly grid: { readonly h: number; readonly w: number };
  /** Decoded frames by source index (at the encoder's input size). */
  readonly frames: ReadonlyMap<number, RgbImage>;
  /** Per-frame tokens (`h*w*D`) by source index, as the encoder produced them. */
  readonly features: ReadonlyMap<number, Float32Array>;
  /** The composed image behind an image segment (thumbnail, grid), when known. */
  readonly composedImage?: RgbImage;
  /** Most pictures drawn for one segment (evenly chosen); default 16. */
  readonly maxPictures?: number;
}

export type TokenPictureKind = 'decoded' | 'placed' | 'mosaic' | 'heat-map';

export interface TokenPicture {
  readonly label: string;
  readonly image: RgbImage;
  readonly kind: TokenPictureKind;
  /** True when the picture stands for a whole frame (show it at the video's aspect ratio). */
  readonly wholeFrame: boolean;
}

export interface SegmentPictures {
  readonly pictures: TokenPicture[];
  /** Pictures the segment would have without the cap. */
  readonly total: number;
  /** How the pictures were made, one sentence. */
  readonly method: string;
}

/** `count` positions out of `total`, evenly spread, always including the first and the last. */
export function evenlySpread(total: number, count: number): number[] {
  if (total <= count) return Array.from({ length: total }, (_, i) => i);
  if (count <= 1) return [0];
  return Array.from({ length: count }, (_, i) => Math.round((i * (total - 1)) / (count - 1)));
}

function hashToken(tokens: Float32Array, offset: number, dim: number): number {
  const bits = new Uint32Array(tokens.buffer, tokens.byteOffset + offset * 4, dim);
  let hash = 0x811c9dc5;
  for (let i = 0; i < dim; i++) {
    hash ^= bits[i]!;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function sameToken(a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, dim: number): boolean {
  for (let i = 0; i < dim; i++) if (a[aOffset + i] !== b[bOffset + i]) return false;
  return true;
}

export interface TokenLocation {
  /** Source frame index. */
  readonly frame: number;
  /** Raster position in the frame's token grid. */
  readonly position: number;
}

/**
 * Finds, for every token of the segment, the frame and grid position it is an exact copy of (searching the frames the
 * segment names). Returns undefined unless every token is found.
 */
export function locateTokens(
  segment: VisualSegment,
  context: Pick<TokenPictureContext, 'grid' | 'features'>,
): TokenLocation[] | undefined {
  const dim = segment.dim;
  const perFrame = context.grid.h * context.grid.w;
  const index = new Map<number, TokenLocation[]>();
  for (const frame of new Set(segment.frameIndices)) {
    const features = context.features.get(frame);
    if (features === undefined || features.length !== perFrame * dim) return undefined;
    for (let position = 0; position < perFrame; position++) {
      const hash = hashToken(features, position * dim, dim);
      const bucket = index.get(hash);
      if (bucket === undefined) index.set(hash, [{ frame, position }]);
      else bucket.push({ frame, position });
    }
  }
  const locations: TokenLocation[] = [];
  for (let i = 0; i < segment.count; i++) {
    const candidates = index.get(hashToken(segment.tokens, i * dim, dim)) ?? [];
    const match = candidates.find((candidate) =>
      sameToken(context.features.get(candidate.frame)!, candidate.position * dim, segment.tokens, i * dim, dim),
    );
    if (match === undefined) return undefined;
    locations.push(match);
  }
  return locations;
}

function frameLabel(frame: number, time: number | undefined): string {
  return time === undefined ? `frame ${frame}` : `frame ${frame} @ ${time.toFixed(2)} s`;
}

/** A frame darkened to a fifth, with the given tokens' patches decoded on top. */
function placedPixelsImage(
  frame: RgbImage | undefined,
  tokens: Float32Array,
  dim: number,
  positions: readonly [number, number][],
  geometry: PixelsGeometry,
  grid: { h: number; w: number },
): RgbImage {
  const { patch } = geometry;
  const width = grid.w * patch;
  const height = grid.h * patch;
  const data = new Uint8Array(width * height * 3);
  if (frame !== undefined) {
    const base = frame.width === width && frame.height === height ? frame : resizeImageArea(frame, width, height);
    for (let i = 0; i < data.length; i++) data[i] = Math.round(base.data[i]! * 0.2);
  }
  for (const [token, position] of positions) {
    const decoded = decodePatchTokens(tokens.subarray(token * dim, (token + 1) * dim), {
      patch,
      rows: 1,
      columns: 1,
      mean: geometry.mean,
      std: geometry.std,
    });
    const gy = Math.floor(position / grid.w);
    const gx = position % grid.w;
    for (let y = 0; y < patch; y++) {
      data.set(decoded.data.subarray(y * patch * 3, (y + 1) * patch * 3), ((gy * patch + y) * width + gx * patch) * 3);
    }
  }
  return { width, height, data };
}

/** Pictures of one visual segment. */
export function segmentPictures(segment: VisualSegment, context: TokenPictureContext): SegmentPictures {
  const maximum = context.maxPictures ?? 16;
  const dim = segment.dim;
  const pixels =
    context.pixels !== undefined && dim === 3 * context.pixels.patch * context.pixels.patch
      ? context.pixels
      : undefined;
  const layout = segment.layout;
  if (layout !== undefined && layout.t * layout.h * layout.w === segment.count) {
    const perSlice = layout.h * layout.w;
    const chosen = evenlySpread(layout.t, maximum);
    const oneFramePerSlice = layout.t === segment.frameIndices.length;
    const pictures = chosen.map((t): TokenPicture => {
      const tokens = segment.tokens.subarray(t * perSlice * dim, (t + 1) * perSlice * dim);
      const source = Math.min(
        segment.frameIndices.length - 1,
        Math.floor(((t + 0.5) * segment.frameIndices.length) / layout.t),
      );
      const frame = segment.frameIndices[source]!;
      const label = segment.isImage
        ? `${segment.role} image (${layout.h}x${layout.w} tokens)`
        : oneFramePerSlice
          ? `${frameLabel(frame, segment.timestamps[source])}, ${layout.h}x${layout.w}`
          : `slice ${t + 1}/${layout.t} (frames ${segment.frameIndices[0]}-${segment.frameIndices[segment.frameIndices.length - 1]}), ${layout.h}x${layout.w}`;
      if (pixels !== undefined) {
        return {
          label,
          kind: 'decoded',
          wholeFrame: !segment.isImage,
          image: decodePatchTokens(tokens, {
            patch: pixels.patch,
            rows: layout.h,
            columns: layout.w,
            mean: pixels.mean,
            std: pixels.std,
          }),
        };
      }
      const background = segment.isImage ? context.composedImage : context.frames.get(frame);
      const values = normalizeValues(tokenNorms(tokens, dim, perSlice));
      const size = background !== undefined ? fitWithin(background, 224) : undefined;
      return {
        label,
        kind: 'heat-map',
        wholeFrame: !segment.isImage,
        image: heatMapImage(values, layout.h, layout.w, {
          ...(background !== undefined ? { frame: background, width: size!.width, height: size!.height } : {}),
        }),
      };
    });
    return {
      pictures,
      total: layout.t,
      method:
        pixels !== undefined
          ? 'tokens decoded back to pixels, one patch per token (pooled tokens show as coarser blocks)'
          : 'per-token L2 norm over the frame (bright = large norm)',
    };
  }
  const locations = locateTokens(segment, context);
  if (locations !== undefined) {
    const byFrame = new Map<number, [number, number][]>();
    locations.forEach((location, token) => {
      const list = byFrame.get(location.frame) ?? [];
      list.push([token, location.position]);
      byFrame.set(location.frame, list);
    });
    const frames = [...byFrame.keys()].sort((a, b) => a - b);
    const perFrame = context.grid.h * context.grid.w;
    const pictures = evenlySpread(frames.length, maximum).map((at): TokenPicture => {
      const frame = frames[at]!;
      const kept = byFrame.get(frame)!;
      const time = segment.timestamps[segment.frameIndices.indexOf(frame)];
      const label = `${frameLabel(frame, time)}, ${kept.length} of ${perFrame} tokens`;
      if (pixels !== undefined) {
        return {
          label,
          kind: 'placed',
          wholeFrame: true,
          image: placedPixelsImage(context.frames.get(frame), segment.tokens, dim, kept, pixels, context.grid),
        };
      }
      const values = normalizeValues(tokenNorms(context.features.get(frame)!, dim, perFrame));
      const keptPositions = new Set(kept.map(([, position]) => position));
      const background = context.frames.get(frame);
      const size = background !== undefined ? fitWithin(background, 224) : undefined;
      return {
        label,
        kind: 'heat-map',
        wholeFrame: true,
        image: heatMapImage(values, context.grid.h, context.grid.w, {
          dimmed: Array.from({ length: perFrame }, (_, position) => !keptPositions.has(position)),
          ...(background !== undefined ? { frame: background, width: size!.width, height: size!.height } : {}),
        }),
      };
    });
    return {
      pictures,
      total: frames.length,
      method:
        pixels !== undefined
          ? 'kept tokens decoded at the patch they were taken from; dropped patches darkened'
          : 'per-token L2 norm over the frame (bright = large norm); dropped tokens darkened',
    };
  }
  const columns = Math.max(1, Math.ceil(Math.sqrt(segment.count)));
  const rows = Math.max(1, Math.ceil(segment.count / columns));
  const label = `${segment.count} merged tokens (${segment.frameIndices.length === 1 ? frameLabel(segment.frameIndices[0]!, segment.timestamps[0]) : `${segment.frameIndices.length} frames`})`;
  if (pixels !== undefined) {
    return {
      pictures: [
        {
          label,
          kind: 'mosaic',
          wholeFrame: false,
          image: decodePatchTokens(segment.tokens.subarray(0, segment.count * dim), {
            patch: pixels.patch,
            rows,
            columns,
            mean: pixels.mean,
            std: pixels.std,
          }),
        },
      ],
      total: 1,
      method: 'tokens that are not copies of one patch (merged), decoded as a mosaic in stream order',
    };
  }
  const values = new Float32Array(rows * columns);
  values.set(normalizeValues(tokenNorms(segment.tokens, dim, segment.count)));
  return {
    pictures: [{ label, kind: 'heat-map', wholeFrame: false, image: heatMapImage(values, rows, columns, { cell: 8 }) }],
    total: 1,
    method: 'per-token L2 norm of merged tokens, as a mosaic in stream order',
  };
}

/** The image's size scaled down (never up) so that its longer side is at most `side`. */
export function fitWithin(
  image: { readonly width: number; readonly height: number },
  side: number,
): { width: number; height: number } {
  const scale = Math.min(1, side / Math.max(image.width, image.height));
  return { width: Math.max(1, Math.round(image.width * scale)), height: Math.max(1, Math.round(image.height * scale)) };
}

/**
 * @file The token stream: the ordered text and visual segments a pipeline hands to a model. Visual segments carry
 * their role, the timestamps and frames they come from, and their token count; the prompt builder of each model
 * family wraps them in that family's special tokens.
 */
import type { FeatureGrid } from './feature-grid.js';

/** What a visual segment stands for, after the strategies' own vocabulary. */
export type VisualRole = 'frames' | 'slow' | 'fast' | 'thumbnail' | 'sampled' | 'grid' | 'memory' | 'scene';

export interface TextSegment {
  readonly type: 'text';
  readonly text: string;
}

export interface VisualSegment {
  readonly type: 'visual';
  readonly role: VisualRole;
  /** `count * dim` values, row-major: token `i` is `tokens.subarray(i*dim, (i+1)*dim)`. */
  readonly tokens: Float32Array;
  readonly count: number;
  readonly dim: number;
  /** Timestamps (seconds) of the frames these tokens were computed from, ascending. */
  readonly timestamps: readonly number[];
  /** Source frame indices of those frames. */
  readonly frameIndices: readonly number[];
  /** When the tokens form a regular grid `[t, h, w]` in raster order (pooled frames); absent for sampled tokens. */
  readonly layout?: { readonly t: number; readonly h: number; readonly w: number };
  /** True when the segment is one composed image (thumbnail, grid) to be wrapped as a single image. */
  readonly isImage?: boolean;
  /**
   * Set when an image went through the model's high-resolution path (SmolVLM2 image splitting, LLaVA-OneVision
   * anyres): `rows x cols` tiles of `tokensPerTile` tokens plus one global (base) image of `globalTokens` tokens, in
   * the family's own order (SmolVLM2: tiles row-major, then the global image; LLaVA-OneVision: base image first).
   * For SmolVLM2 `count = rows * cols * tokensPerTile + globalTokens`; LLaVA-OneVision's anyres packing crops the
   * padding and caps the grid (anyres_max_9), so there `count` is the packed count and `rows x cols` only names the
   * tile layout.
   */
  readonly tiles?: {
    readonly rows: number;
    readonly cols: number;
    readonly tokensPerTile: number;
    readonly globalTokens: number;
  };
}

export type TokenSegment = TextSegment | VisualSegment;

export interface TokenStreamMetadata {
  readonly pipeline: string;
  readonly encoder: string;
  /** Strategy parameters as applied (after defaults). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Present when the pipeline approximates a learned component (B-VLLM selector, VideoLLaMB memory). */
  readonly approximation?: string;
  /** Wall time each stage took, milliseconds. */
  readonly timings?: Readonly<Record<string, number>>;
}

export interface TokenStream {
  /** Token dimension shared by every visual segment. */
  readonly dim: number;
  readonly segments: readonly TokenSegment[];
  readonly metadata: TokenStreamMetadata;
}

/** Total number of visual tokens in a stream. */
export function visualTokenCount(stream: Pick<TokenStream, 'segments'>): number {
  let n = 0;
  for (const segment of stream.segments) if (segment.type === 'visual') n += segment.count;
  return n;
}

/** The visual fields of a segment, without its kind and role (e.g. a pooled scene memory). */
export type VisualTokens = Omit<VisualSegment, 'type' | 'role'>;

/** A visual segment of `role` over already computed tokens. */
export function visualSegment(role: VisualRole, tokens: VisualTokens): VisualSegment {
  return {
    type: 'visual',
    role,
    tokens: tokens.tokens,
    count: tokens.count,
    dim: tokens.dim,
    timestamps: tokens.timestamps,
    frameIndices: tokens.frameIndices,
    ...(tokens.layout ? { layout: tokens.layout } : {}),
    ...(tokens.isImage ? { isImage: true } : {}),
    ...(tokens.tiles ? { tiles: tokens.tiles } : {}),
  };
}

/** One segment per frame of a grid (views into its buffer, no copies), each with its own timestamp. */
export function perFrameSegments(grid: FeatureGrid, role: VisualRole): VisualSegment[] {
  const perFrame = grid.h * grid.w * grid.D;
  return Array.from({ length: grid.T }, (_, t) => ({
    type: 'visual' as const,
    role,
    tokens: grid.data.subarray(t * perFrame, (t + 1) * perFrame),
    count: grid.h * grid.w,
    dim: grid.D,
    timestamps: [grid.timestamps[t]!],
    frameIndices: [grid.frameIndices[t]!],
    layout: { t: 1, h: grid.h, w: grid.w },
  }));
}

/**
 * @file The feature grid: per-frame visual tokens `[T, h, w, D]`, channels-last in one Float32Array, with the
 * timestamp and source index of every frame. This is what an encoder produces and what strategies consume.
 */

export interface FeatureGrid {
  /** Number of frames. */
  readonly T: number;
  /** Token rows per frame. */
  readonly h: number;
  /** Token columns per frame. */
  readonly w: number;
  /** Channels per token. */
  readonly D: number;
  /** `T*h*w*D` values: element `[t, y, x, d]` is at `((t*h + y)*w + x)*D + d`. */
  readonly data: Float32Array;
  /** Presentation timestamp (seconds) of each frame, length T. */
  readonly timestamps: readonly number[];
  /** Source frame index of each frame, length T. */
  readonly frameIndices: readonly number[];
}

/** Per-frame descriptor vectors `[T, D]` (e.g. a CLS token or the mean token), used by SceneTilling and B-VLLM. */
export interface FrameDescriptors {
  readonly T: number;
  readonly D: number;
  readonly data: Float32Array;
  readonly timestamps: readonly number[];
  readonly frameIndices: readonly number[];
}

/** Creates a grid after checking that the buffer and metadata lengths agree. */
export function featureGrid(
  T: number,
  h: number,
  w: number,
  D: number,
  data: Float32Array,
  timestamps: readonly number[],
  frameIndices: readonly number[],
): FeatureGrid {
  if (data.length !== T * h * w * D) {
    throw new RangeError(`feature grid [${T},${h},${w},${D}] needs ${T * h * w * D} values, got ${data.length}`);
  }
  if (timestamps.length !== T || frameIndices.length !== T) {
    throw new RangeError(`feature grid with T=${T} needs ${T} timestamps and frame indices`);
  }
  return { T, h, w, D, data, timestamps, frameIndices };
}

/** Mean token of each frame: the default per-frame descriptor when an encoder exposes no CLS token. */
export function meanTokenDescriptors(grid: FeatureGrid): FrameDescriptors {
  const { T, h, w, D } = grid;
  const P = h * w;
  const out = new Float32Array(T * D);
  for (let t = 0; t < T; t++) {
    const base = t * P * D;
    const acc = new Float64Array(D);
    for (let p = 0; p < P; p++) {
      const row = base + p * D;
      for (let d = 0; d < D; d++) acc[d]! += grid.data[row + d]!;
    }
    for (let d = 0; d < D; d++) out[t * D + d] = acc[d]! / P;
  }
  return { T, D, data: out, timestamps: grid.timestamps, frameIndices: grid.frameIndices };
}

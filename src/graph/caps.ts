/**
 * @file Caps: what flows along an edge of the stage graph, described without the data (after GStreamer's caps).
 * A graph is negotiated from its source to its outputs before the first frame is decoded, so shape mismatches and
 * token budgets fail at build time with the stage's name, never mid-stream.
 */

export type Caps =
  /** Decoded frames: how many per run (exact for count rules, an upper bound for fps/scene sampling) and their size. */
  | { readonly kind: 'frames'; readonly count: number; readonly width: number; readonly height: number }
  /** A feature grid `[T, h, w, D]`. */
  | { readonly kind: 'features'; readonly T: number; readonly h: number; readonly w: number; readonly D: number }
  /** Per-frame descriptors `[T, D]`. */
  | { readonly kind: 'descriptors'; readonly T: number; readonly D: number }
  /** Visual token segments: total token count and dimension. */
  | { readonly kind: 'tokens'; readonly count: number; readonly D: number }
  /** One composed RGB image (thumbnail, grid). */
  | { readonly kind: 'image'; readonly width: number; readonly height: number };

export type CapsKind = Caps['kind'];

/** Narrows caps to one kind. */
export type CapsOf<K extends CapsKind> = Extract<Caps, { kind: K }>;

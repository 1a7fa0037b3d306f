/**
 * @file Caps: what flows along an edge of the stage graph, described without the data (after GStreamer's caps).
 * A graph is negotiated from its source to its outputs before the first frame is decoded, so shape mismatches and
 * token budgets fail at build time with the stage's name, never mid-stream. Counts are exact unless `atMost` is set
 * (data-dependent stages such as B-VLLM's selection or scene splitting, and everything downstream of them); after a
 * stage runs, its payload is checked against its caps (src/graph/stage-output-check.ts).
 */

export type Caps =
  /** Decoded frames: how many per run (exact for count rules, an upper bound for fps/scene sampling) and their size. */
  | {
      readonly kind: 'frames';
      readonly count: number;
      readonly width: number;
      readonly height: number;
      readonly atMost?: boolean;
    }
  /** A feature grid `[T, h, w, D]`. */
  | {
      readonly kind: 'features';
      readonly T: number;
      readonly h: number;
      readonly w: number;
      readonly D: number;
      readonly atMost?: boolean;
    }
  /** Per-frame descriptors `[T, D]`. */
  | { readonly kind: 'descriptors'; readonly T: number; readonly D: number; readonly atMost?: boolean }
  /** Visual token segments: total token count and dimension. */
  | { readonly kind: 'tokens'; readonly count: number; readonly D: number; readonly atMost?: boolean }
  /** One composed RGB image (thumbnail, grid). */
  | { readonly kind: 'image'; readonly width: number; readonly height: number };

export type CapsKind = Caps['kind'];

/** Narrows caps to one kind. */
export type CapsOf<K extends CapsKind> = Extract<Caps, { kind: K }>;

/**
 * @file "Produced equals planned": after a stage runs, its payload is compared with the caps it negotiated before
 * decoding. Exact caps must match exactly; `atMost` caps (data-dependent counts, or a source that delivered fewer
 * frames than planned) bound the payload from above. A mismatch is a bug in the stage, so it is an internal error
 * (exit 1) naming the stage and both numbers, never a silently different prompt.
 */
import type { Caps } from './caps.js';
import type { Payload } from './payload.js';

/** A stage produced something other than what it negotiated (a bug in that stage). */
export class StageOutputMismatchError extends Error {
  override readonly name = 'StageOutputMismatchError';
  constructor(
    readonly stage: string,
    readonly problem: string,
  ) {
    super(`stage '${stage}' ${problem} (internal error: its negotiated caps and its output disagree)`);
  }
}

function compareCount(stage: string, what: string, produced: number, planned: number, atMost: boolean): void {
  if (atMost ? produced > planned : produced !== planned) {
    throw new StageOutputMismatchError(
      stage,
      `produced ${produced} ${what} but planned ${atMost ? 'at most ' : ''}${planned}`,
    );
  }
}

/**
 * Checks `payload` against `caps`. `shortSource` relaxes exact counts to upper bounds when the frame source
 * delivered fewer frames than planned (a damaged or shorter input), since every count downstream may then shrink.
 */
export function checkStageOutput(stage: string, caps: Caps, payload: Payload, shortSource = false): void {
  if (payload.kind !== caps.kind)
    throw new StageOutputMismatchError(stage, `returned ${payload.kind}, negotiated ${caps.kind}`);
  const atMost = shortSource || ('atMost' in caps && caps.atMost === true);
  switch (caps.kind) {
    case 'tokens': {
      const segments = (payload as Extract<Payload, { kind: 'tokens' }>).segments;
      let count = 0;
      for (const segment of segments) {
        if (segment.dim !== caps.D)
          throw new StageOutputMismatchError(stage, `produced ${segment.dim}-d tokens but planned ${caps.D}-d`);
        if (segment.tokens.length !== segment.count * segment.dim) {
          throw new StageOutputMismatchError(
            stage,
            `has a segment claiming ${segment.count} tokens with ${segment.tokens.length / segment.dim} rows`,
          );
        }
        count += segment.count;
      }
      compareCount(stage, 'tokens', count, caps.count, atMost);
      return;
    }
    case 'features': {
      const grid = (payload as Extract<Payload, { kind: 'features' }>).grid;
      if (grid.h !== caps.h || grid.w !== caps.w || grid.D !== caps.D) {
        throw new StageOutputMismatchError(
          stage,
          `produced a ${grid.h}x${grid.w}x${grid.D} grid but planned ${caps.h}x${caps.w}x${caps.D}`,
        );
      }
      compareCount(stage, 'frames of features', grid.T, caps.T, atMost);
      return;
    }
    case 'descriptors': {
      const descriptors = (payload as Extract<Payload, { kind: 'descriptors' }>).descriptors;
      if (descriptors.D !== caps.D)
        throw new StageOutputMismatchError(stage, `produced ${descriptors.D}-d descriptors but planned ${caps.D}-d`);
      compareCount(stage, 'descriptors', descriptors.T, caps.T, atMost);
      return;
    }
    case 'frames': {
      const frames = (payload as Extract<Payload, { kind: 'frames' }>).frames;
      compareCount(stage, 'frames', frames.length, caps.count, atMost);
      return;
    }
    case 'image': {
      const image = (payload as Extract<Payload, { kind: 'image' }>).image;
      if (image.width !== caps.width || image.height !== caps.height) {
        throw new StageOutputMismatchError(
          stage,
          `produced a ${image.width}x${image.height} image but planned ${caps.width}x${caps.height}`,
        );
      }
      return;
    }
  }
}

/**
 * @file `extractFrames(input, request)`: collects a FrameSource into memory with its probe, plan, warnings and drops.
 */
import type { VideoFrame } from '../core/frame.js';
import type { DecodePlan } from './decode-plan.js';
import type { IngestWarning } from './ffmpeg-log.js';
import { LimitExceededError } from '../errors/index.js';
import { openFrames, type FrameRequest } from './frame-source.js';
import { resolveLimits } from './limits.js';
import type { ProbeResult } from './probe-types.js';

export interface ExtractResult {
  frames: VideoFrame[];
  probe: ProbeResult;
  plan: DecodePlan;
  warnings: IngestWarning[];
  dropped: number;
  /** Distinct wanted frames that could not be decoded: the result is partial when this is above 0. */
  missing: number;
}

/** Decodes the requested frames of `input` into memory (use openFrames to stream). */
export async function extractFrames(input: string, request: FrameRequest = {}): Promise<ExtractResult> {
  const source = openFrames(input, request);
  try {
    const plan = await source.plan();
    const distinct = plan.distinctFrames ?? plan.frames;
    if (distinct !== undefined) {
      // Everything is held in memory: refuse requests over the byte cap before decoding (use openFrames to stream).
      const info = await source.probe();
      const bytes = distinct * (request.size?.width ?? info.width) * (request.size?.height ?? info.height) * 3;
      const allowed = resolveLimits(request.limits).maxExtractBytes ?? Number.POSITIVE_INFINITY;
      if (bytes > allowed)
        throw new LimitExceededError(
          input,
          'bytes of decoded frames held in memory (use openFrames to stream)',
          bytes,
          allowed,
        );
    }
    const frames: VideoFrame[] = [];
    for await (const frame of source) frames.push(frame);
    const probe = await source.probe();
    return { frames, probe, plan, warnings: [...source.warnings], dropped: source.dropped, missing: source.missing };
  } finally {
    await source.close();
  }
}

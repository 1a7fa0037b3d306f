/**
 * @file `extractFrames(input, request)`: collects a FrameSource into memory with its probe, plan, warnings and drops.
 */
import type { VideoFrame } from '../core/frame.js';
import type { DecodePlan } from './decode-plan.js';
import type { IngestWarning } from './ffmpeg-log.js';
import { openFrames, type FrameRequest } from './frame-source.js';
import type { ProbeResult } from './probe-types.js';

export interface ExtractResult {
  frames: VideoFrame[];
  probe: ProbeResult;
  plan: DecodePlan;
  warnings: IngestWarning[];
  dropped: number;
}

/** Decodes the requested frames of `input` into memory (use openFrames to stream). */
export async function extractFrames(input: string, request: FrameRequest = {}): Promise<ExtractResult> {
  const source = openFrames(input, request);
  try {
    const plan = await source.plan();
    const frames: VideoFrame[] = [];
    for await (const frame of source) frames.push(frame);
    const probe = await source.probe();
    return { frames, probe, plan, warnings: [...source.warnings], dropped: source.dropped };
  } finally {
    await source.close();
  }
}

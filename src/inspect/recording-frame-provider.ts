/**
 * @file A frame provider that records what it delivers: it wraps another provider (by default src/ingest's) and keeps
 * every decoded frame of a run, so the report can show the exact frames a pipeline consumed without decoding twice.
 */
import type { VideoFrame } from '../core/frame.js';
import { ingestFrameProvider, type FrameProvider } from '../pipeline/frame-provider.js';

export interface RecordingFrameProvider extends FrameProvider {
  /** Frames delivered so far, in delivery order. */
  readonly frames: VideoFrame[];
}

/** Wraps `inner`; every frame it yields is also pushed to `frames`. */
export function recordingFrameProvider(inner: FrameProvider = ingestFrameProvider): RecordingFrameProvider {
  const frames: VideoFrame[] = [];
  return {
    frames,
    probe: (input, options) => inner.probe(input, options),
    openFrames(input, request) {
      const source = inner.openFrames(input, request);
      return {
        async *[Symbol.asyncIterator]() {
          // for await closes the inner iterator (and its decoder) when this generator is returned early or throws.
          for await (const frame of source) {
            frames.push(frame);
            yield frame;
          }
        },
      };
    },
  };
}

/**
 * @file The data the output writers format: one video's captions, each with its start and end time in seconds.
 */

/** One captioned time span of a video. Times are seconds from the start of the video. */
export interface CaptionCue {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Everything written for one video. */
export interface CaptionDocument {
  /** The input as given (path); written into the JSON outputs. */
  readonly input: string;
  /** The job key (see src/jobs/job-key.ts); identifies input content + pipeline + model + parameters. */
  readonly key: string;
  readonly cues: readonly CaptionCue[];
  /** Free-form details from the processor (model, pipeline, timings that do not change between reruns). */
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** Cues sorted by start, then end, keeping the original order for ties. Overlapping cues are allowed. */
export function sortCues(cues: readonly CaptionCue[]): CaptionCue[] {
  return cues
    .map((cue, index) => ({ cue, index }))
    .sort((a, b) => a.cue.start - b.cue.start || a.cue.end - b.cue.end || a.index - b.index)
    .map(({ cue }) => cue);
}

/**
 * @file B-VLLM's inference frame sampling, `bvlm/mm_utils.py` `frame_sample(duration, mode='fps', fps=fps)`:
 * `segment_len = min(fps // 1, duration)`, `np.arange(segment_len // 2, duration, segment_len, dtype=int)` where
 * `duration` is the number of frames and `fps` the stream's average frame rate (decord's `get_avg_fps()`): the
 * middle frame of every second. A cap on the number of frames is the caller's (the pipeline's `maxFrames`).
 */

/** Frame indices B-VLLM samples from a stream of `totalFrames` frames at `fps` frames per second. */
export function bvllmFpsFrameIndices(totalFrames: number, fps: number): number[] {
  if (!Number.isInteger(totalFrames) || totalFrames < 1)
    throw new RangeError(`total frames must be a positive integer, got ${totalFrames}`);
  if (!(fps >= 1) || !Number.isFinite(fps))
    throw new RangeError(`B-VLLM's fps sampling needs a frame rate of at least 1, got ${fps}`);
  const segmentLength = Math.min(Math.floor(fps), totalFrames);
  const start = Math.floor(segmentLength / 2);
  const indices: number[] = [];
  for (let index = start; index < totalFrames; index += segmentLength) indices.push(index);
  return indices;
}

/**
 * @file The instruction each chunk is captioned with (`vidtok caption --prompt` overrides it). The default is the
 * dense-captioning wording of NVIDIA VSS / LVS style pipelines: a short, literal description of one clip, no
 * speculation. The chunk's start and end time are added so models that read timestamps can anchor the caption.
 */

/** The default caption instruction. */
export const defaultCaptionPrompt = 'Describe what happens in this clip.';

/** `m:ss` (or `h:mm:ss`) for a time in seconds, rounded down to the second. */
export function clockTime(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = String(whole % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

/** The question asked for a chunk: `"<instruction> (The clip runs from 0:10 to 0:20 of the video.)"`. */
export function captionQuestion(instruction: string, start: number, end: number): string {
  return `${instruction.trim()} (The clip runs from ${clockTime(start)} to ${clockTime(end)} of the video.)`;
}

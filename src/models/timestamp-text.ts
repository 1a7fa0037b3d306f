/** @file Timestamp formats of the prompts: `MM:SS` for frames and `H:MM:SS` (Python `str(timedelta)`) for durations. */

/** `MM:SS` with zero-padded minutes and whole seconds, as SmolVLM2's `Frame from MM:SS:` (minutes may exceed 59). */
export function minutesSeconds(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(whole / 60)).padStart(2, '0')}:${String(whole % 60).padStart(2, '0')}`;
}

/** `H:MM:SS` of whole seconds, like Python's `str(timedelta(seconds=int(s)))` below one day. */
export function hoursMinutesSeconds(seconds: number): string {
  const whole = Math.max(0, Math.trunc(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  return `${hours}:${String(minutes).padStart(2, '0')}:${String(whole % 60).padStart(2, '0')}`;
}

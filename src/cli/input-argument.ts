/** @file The input positional of frames, probe and narrate: yargs turns a lone `-` (stdin) into an empty string. */

/** The input as the user wrote it (`-` for stdin). */
export function inputArgument(value: unknown): string {
  if ((value === '' || value === true) && process.argv.includes('-')) return '-';
  return String(value);
}

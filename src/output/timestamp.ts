/**
 * @file Subtitle timestamps: `HH:MM:SS,mmm` (SRT) and `HH:MM:SS.mmm` (WebVTT). Seconds are rounded to the nearest
 * millisecond; hours grow past two digits when needed (WebVTT allows it, SRT players accept it).
 */
import { UsageError } from '../errors/index.js';

/** Formats `seconds` as `HH:MM:SS<separator>mmm`. */
export function formatTimestamp(seconds: number, separator: ',' | '.'): string {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new UsageError(`caption time ${seconds}: must be a finite number of seconds >= 0`);
  }
  const totalMilliseconds = Math.round(seconds * 1000);
  const milliseconds = totalMilliseconds % 1000;
  const totalSeconds = (totalMilliseconds - milliseconds) / 1000;
  const secondsPart = totalSeconds % 60;
  const totalMinutes = (totalSeconds - secondsPart) / 60;
  const minutes = totalMinutes % 60;
  const hours = (totalMinutes - minutes) / 60;
  const pad = (value: number, width: number): string => String(value).padStart(width, '0');
  return `${pad(hours, 2)}:${pad(minutes, 2)}:${pad(secondsPart, 2)}${separator}${pad(milliseconds, 3)}`;
}

/** Checks one cue's times: finite, start >= 0, end >= start. */
export function assertCueTimes(start: number, end: number, where: string): void {
  if (!Number.isFinite(start) || !Number.isFinite(end) || start < 0 || end < start) {
    throw new UsageError(`${where}: invalid caption times start=${start} end=${end}`);
  }
}

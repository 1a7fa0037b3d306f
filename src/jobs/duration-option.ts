/**
 * @file Parses duration options such as `--chunk 10s`, `--overlap 2s`, `1.5`, `500ms`, `2m`, `1m30s`, `1h`.
 * A bare number means seconds.
 */
import { UsageError } from '../errors/index.js';

const unitSeconds: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** Returns the duration in seconds; throws UsageError naming the option on anything else. */
export function parseDurationOption(value: string | number, optionName: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new UsageError(`${optionName} ${value}: must be a duration >= 0`);
    return value;
  }
  const text = value.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) {
    throw new UsageError(`${optionName} '${value}': not a duration (examples: 10s, 1.5s, 500ms, 2m, 1m30s)`);
  }
  let seconds = 0;
  for (const part of parts) seconds += Number(part[1]) * (unitSeconds[part[2] ?? 's'] ?? 1);
  return Math.round(seconds * 1e6) / 1e6;
}

/**
 * @file The caption output formats (`--format jsonl,json,srt,vtt`): names, file extensions, formatters, and parsing
 * of the comma-separated option.
 */
import { UsageError } from '../errors/index.js';
import type { CaptionDocument } from './caption-document.js';
import { formatJson } from './json.js';
import { formatJsonl } from './jsonl.js';
import { formatSrt } from './srt.js';
import { formatVtt } from './vtt.js';

export const captionFormats = ['jsonl', 'json', 'srt', 'vtt'] as const;
export type CaptionFormat = (typeof captionFormats)[number];

const formatters: Record<CaptionFormat, (document: CaptionDocument) => string> = {
  jsonl: formatJsonl,
  json: formatJson,
  srt: formatSrt,
  vtt: formatVtt,
};

/** Formats a document in one format. */
export function formatCaptions(document: CaptionDocument, format: CaptionFormat): string {
  return formatters[format](document);
}

/** Parses `jsonl,json,srt,vtt` (any order, case-insensitive, duplicates removed); throws UsageError on unknown names. */
export function parseCaptionFormats(value: string | readonly string[]): CaptionFormat[] {
  const parts = (typeof value === 'string' ? [value] : value)
    .flatMap((entry) => entry.split(','))
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry.length > 0);
  if (parts.length === 0)
    throw new UsageError(`--format '${String(value)}': name at least one of ${captionFormats.join(', ')}`);
  const result: CaptionFormat[] = [];
  for (const part of parts) {
    if (!(captionFormats as readonly string[]).includes(part)) {
      throw new UsageError(`--format '${part}': unknown format (choose from ${captionFormats.join(', ')})`);
    }
    if (!result.includes(part as CaptionFormat)) result.push(part as CaptionFormat);
  }
  return result;
}

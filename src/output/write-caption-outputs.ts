/**
 * @file Writes one video's captions in every requested format, each file atomically, as `<basePath>.<format>`.
 * Rewriting the same document produces byte-identical files, so a re-executed job overwrites instead of duplicating.
 */
import type { CaptionDocument } from './caption-document.js';
import { formatCaptions, type CaptionFormat } from './caption-format.js';
import { writeFileAtomic } from './atomic-write.js';

export interface WrittenOutput {
  readonly format: CaptionFormat;
  readonly path: string;
}

/** Writes `<basePath>.<format>` for each format and returns the paths, in the order of `formats`. */
export async function writeCaptionOutputs(
  document: CaptionDocument,
  basePath: string,
  formats: readonly CaptionFormat[],
  options: { signal?: AbortSignal } = {},
): Promise<WrittenOutput[]> {
  const contents = formats.map((format) => ({
    format,
    path: `${basePath}.${format}`,
    text: formatCaptions(document, format),
  }));
  const written: WrittenOutput[] = [];
  for (const { format, path, text } of contents) {
    await writeFileAtomic(path, text, { signal: options.signal });
    written.push({ format, path });
  }
  return written;
}

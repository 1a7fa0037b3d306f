/**
 * @file Output naming and the done-marker that makes batches resumable.
 *
 * Every output of a video is named from its stem and the first 8 hex digits of its job key:
 * `<out>/<stem>.<key8>.<format>`; the marker `<out>/<stem>.<key8>.done.json` is written last (atomically) and lists
 * the key and the sha256 of each output. A video counts as done only when the marker parses, carries the same key and
 * every requested output exists with the recorded hash, so a crash between outputs, a deleted or edited output, or a
 * newly requested format all lead to a redo. Because names derive from the key, re-executing a job (at-least-once
 * delivery) overwrites the same files with identical bytes instead of adding new ones.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { writeFileAtomic } from '../output/atomic-write.js';
import type { CaptionFormat } from '../output/caption-format.js';

export const doneMarkerVersion = 1;

export interface DoneMarker {
  readonly version: number;
  readonly key: string;
  readonly input: string;
  readonly contentSha256: string;
  readonly outputs: readonly { readonly format: CaptionFormat; readonly file: string; readonly sha256: string }[];
}

/** `<out>/<stem>.<key8>`; outputs append `.<format>`, the marker `.done.json`. */
export function outputBasePath(outDir: string, input: string, key: string): string {
  const name = basename(input);
  const stem = name.slice(0, name.length - extname(name).length) || name;
  return join(outDir, `${stem}.${key.slice(0, 8)}`);
}

export function doneMarkerPath(basePath: string): string {
  return `${basePath}.done.json`;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** Returns the output paths when the video is done for `key` and `formats`, otherwise undefined. */
export async function readValidDoneMarker(
  basePath: string,
  key: string,
  formats: readonly CaptionFormat[],
): Promise<string[] | undefined> {
  let marker: DoneMarker;
  try {
    marker = JSON.parse(await readFile(doneMarkerPath(basePath), 'utf8')) as DoneMarker;
  } catch {
    return undefined;
  }
  if (marker?.version !== doneMarkerVersion || marker.key !== key || !Array.isArray(marker.outputs)) return undefined;
  const paths: string[] = [];
  for (const format of formats) {
    const recorded = marker.outputs.find((output) => output.format === format);
    if (!recorded) return undefined;
    const path = `${basePath}.${format}`;
    try {
      if (sha256(await readFile(path)) !== recorded.sha256) return undefined;
    } catch {
      return undefined;
    }
    paths.push(path);
  }
  return paths;
}

/** Writes the marker after all outputs exist; hashes them from disk. */
export async function writeDoneMarker(
  basePath: string,
  details: { key: string; input: string; contentSha256: string; formats: readonly CaptionFormat[] },
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  const outputs = [];
  for (const format of details.formats) {
    const path = `${basePath}.${format}`;
    outputs.push({ format, file: basename(path), sha256: sha256(await readFile(path)) });
  }
  const marker: DoneMarker = {
    version: doneMarkerVersion,
    key: details.key,
    input: details.input,
    contentSha256: details.contentSha256,
    outputs,
  };
  await writeFileAtomic(doneMarkerPath(basePath), `${JSON.stringify(marker, null, 2)}\n`, options);
}

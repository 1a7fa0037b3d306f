/**
 * @file Output naming and the done-marker that makes batches resumable.
 *
 * Every output of a video is named after the video, so players load the subtitles beside it: `<out>/<stem>.<format>`
 * (`clip.mp4` → `clip.vtt`, `clip.srt`). The first 8 hex digits of the video's content sha256 are added
 * (`<stem>.<content8>.<format>`) only where two inputs would collide: two inputs of one batch with the same stem
 * (`a/clip.mp4`, `b/clip.mov`), or a marker already in `<out>` for the same stem written for another file with other
 * content. The marker `<base>.done.json` is written last (atomically) and lists the key and the sha256 of each
 * output. Resume stays keyed by content: a video counts as done only when the marker parses, carries the same key
 * (content + pipeline + model + parameters) and every requested output exists with the recorded hash, so a changed
 * file or setting, a crash between outputs, a deleted or edited output, or a newly requested format all lead to a
 * redo that overwrites the same names; re-executing a job (at-least-once delivery) writes identical bytes.
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

/** The file name of `input` without its extension. */
export function inputStem(input: string): string {
  const name = basename(input);
  return name.slice(0, name.length - extname(name).length) || name;
}

/** Inputs of one batch whose stem another input shares (their outputs get the content hash). */
export function collidingInputs(inputs: readonly string[]): Set<string> {
  const byStem = new Map<string, string[]>();
  for (const input of inputs) byStem.set(inputStem(input), [...(byStem.get(inputStem(input)) ?? []), input]);
  return new Set([...byStem.values()].filter((group) => new Set(group).size > 1).flat());
}

/**
 * `<out>/<stem>`, or `<out>/<stem>.<content8>` when `collides` or when `<out>/<stem>.done.json` belongs to another
 * file with other content; outputs append `.<format>`, the marker `.done.json`.
 */
export async function outputBasePath(
  outDir: string,
  input: string,
  naming: { readonly contentSha256: string; readonly collides?: boolean },
): Promise<string> {
  const stem = inputStem(input);
  const hashed = join(outDir, `${stem}.${naming.contentSha256.slice(0, 8)}`);
  if (naming.collides) return hashed;
  const plain = join(outDir, stem);
  try {
    const marker = JSON.parse(await readFile(doneMarkerPath(plain), 'utf8')) as Partial<DoneMarker>;
    if (marker.input !== undefined && marker.input !== input && marker.contentSha256 !== naming.contentSha256)
      return hashed;
  } catch {
    // no marker (or an unreadable one): the plain name is free
  }
  return plain;
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

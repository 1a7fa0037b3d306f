/**
 * @file The manifest a snapshot folder carries (`.vidtok-model.json`): where the files came from and the checksum
 * each one was verified against, so a later pull can keep files whose checksum did not change.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { manifestFileName } from './cache-directory.js';
import type { DerivedFile } from './video-newline.js';

export interface ManifestFile {
  readonly size: number;
  readonly sha256?: string;
  readonly gitObjectId?: string;
}

export interface ModelManifest {
  readonly format: 1;
  readonly repositoryId: string;
  readonly revision: string;
  /** Commit the revision was resolved to when pulled; every file was downloaded at it. */
  readonly commit?: string;
  readonly endpoint: string;
  readonly pulledAt: string;
  readonly files: Readonly<Record<string, ManifestFile>>;
  /** Files made from part of a listed file (LLaVA-OneVision's image_newline.npy), with where they came from. */
  readonly derived?: Readonly<Record<string, DerivedFile>>;
}

/** Reads the manifest of a snapshot folder, or undefined when it is missing or unreadable. */
export async function readModelManifest(directory: string): Promise<ModelManifest | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(directory, manifestFileName), 'utf8')) as ModelManifest;
    if (parsed?.format !== 1 || typeof parsed.files !== 'object' || parsed.files === null) return undefined;
    return parsed;
  } catch {
    return undefined;
  }
}

/** The manifest entry for one listed file. */
export function manifestEntryOf(file: {
  size: number;
  sha256: string | undefined;
  gitObjectId: string | undefined;
}): ManifestFile {
  return {
    size: file.size,
    ...(file.sha256 ? { sha256: file.sha256 } : {}),
    ...(file.gitObjectId ? { gitObjectId: file.gitObjectId } : {}),
  };
}

/** True when two manifest entries describe the same bytes. */
export function sameManifestEntry(left: ManifestFile | undefined, right: ManifestFile): boolean {
  if (!left || left.size !== right.size) return false;
  if (right.sha256) return left.sha256 === right.sha256;
  if (right.gitObjectId) return left.gitObjectId === right.gitObjectId;
  return false;
}

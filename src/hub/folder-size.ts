/**
 * @file Sizes and file lists of folders in the model cache, without following symbolic links.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export interface FolderFile {
  /** Path relative to the folder, with `/` separators. */
  readonly path: string;
  readonly size: number;
}

/** Every regular file under `folder` (recursively), or an empty list when it does not exist. */
export async function listFolderFiles(folder: string): Promise<FolderFile[]> {
  let entries;
  try {
    entries = await readdir(folder, { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  const files: FolderFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const absolute = join(entry.parentPath ?? entry.path, entry.name);
    const info = await lstat(absolute).catch(() => undefined);
    if (info?.isFile()) files.push({ path: relative(folder, absolute).split(sep).join('/'), size: info.size });
  }
  return files.sort((left, right) => (left.path < right.path ? -1 : left.path > right.path ? 1 : 0));
}

/** Total bytes of the regular files under `folder`. */
export async function folderSize(folder: string): Promise<number> {
  return (await listFolderFiles(folder)).reduce((total, file) => total + file.size, 0);
}

/**
 * @file `listCachedModels`: what the cache holds, one entry per repository and revision, with its size, the dtypes
 * present for each graph, and the bytes of any unfinished pull.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveCacheDirectory, type CacheDirectoryOptions } from './cache-directory.js';
import { folderSize, listFolderFiles } from './folder-size.js';
import { modelAliases } from './model-aliases.js';
import { modelGraphs, type ModelGraph } from './model-dtypes.js';
import { readModelManifest } from './model-manifest.js';
import { repositoryIdOfFolder, revisionOfFolder } from './repository-reference.js';
import { availableDtypes } from './select-model-files.js';

export interface CachedModel {
  readonly repositoryId: string;
  /** The alias that names this repository, when there is one. */
  readonly alias: string | undefined;
  readonly revision: string;
  readonly commit: string | undefined;
  /** Absolute snapshot folder. */
  readonly directory: string;
  /** Bytes of the snapshot's files. */
  readonly sizeBytes: number;
  /** Dtypes whose graph file is present, per graph. */
  readonly dtypes: Readonly<Record<ModelGraph, readonly string[]>>;
  /** Whether every graph has at least one dtype (the model can load). */
  readonly complete: boolean;
  readonly pulledAt: string | undefined;
}

export interface CachedModelListing {
  readonly cacheDirectory: string;
  readonly models: readonly CachedModel[];
  /** Unfinished pulls: `owner/name@revision` and the bytes already downloaded. */
  readonly incomplete: readonly {
    readonly repositoryId: string;
    readonly revision: string;
    readonly sizeBytes: number;
  }[];
}

/** Lists the cache; a missing cache folder lists as empty. */
export async function listCachedModels(options: CacheDirectoryOptions = {}): Promise<CachedModelListing> {
  const cacheDirectory = resolveCacheDirectory(options);
  const models: CachedModel[] = [];
  const incomplete: { repositoryId: string; revision: string; sizeBytes: number }[] = [];
  for (const repositoryFolder of await directoriesIn(cacheDirectory)) {
    const repositoryId = repositoryIdOfFolder(repositoryFolder);
    if (!repositoryId) continue;
    const alias = modelAliases.find((entry) => entry.repositoryId === repositoryId)?.alias;
    for (const revisionFolder of await directoriesIn(join(cacheDirectory, repositoryFolder))) {
      const directory = join(cacheDirectory, repositoryFolder, revisionFolder);
      if (revisionFolder.startsWith('.incomplete-')) {
        const sizeBytes = await folderSize(directory);
        if (sizeBytes > 0)
          incomplete.push({
            repositoryId,
            revision: revisionOfFolder(revisionFolder.slice('.incomplete-'.length)),
            sizeBytes,
          });
        continue;
      }
      if (revisionFolder.startsWith('.')) continue;
      const files = await listFolderFiles(directory);
      const manifest = await readModelManifest(directory);
      const dtypes = Object.fromEntries(modelGraphs.map((graph) => [graph, availableDtypes(files, graph)])) as Record<
        ModelGraph,
        string[]
      >;
      models.push({
        repositoryId,
        alias,
        revision: manifest?.revision ?? revisionOfFolder(revisionFolder),
        commit: manifest?.commit,
        directory,
        sizeBytes: files.reduce((total, file) => total + file.size, 0),
        dtypes,
        complete: modelGraphs.every((graph) => dtypes[graph].length > 0),
        pulledAt: manifest?.pulledAt,
      });
    }
  }
  return { cacheDirectory, models, incomplete };
}

async function directoriesIn(folder: string): Promise<string[]> {
  try {
    const entries = await readdir(folder, { withFileTypes: true });
    return entries
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

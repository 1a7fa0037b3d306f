/**
 * @file Finds pipelines: the built-in ones in the package's `pipelines/` folder (resolved relative to this file, so
 * it works from src/ through tsx and from dist/), or a user's pipeline file given by path.
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PipelineConfigError } from '../errors/index.js';
import type { PipelineDefinition } from './pipeline-definition.js';
import { loadPipelineFile } from './pipeline-file.js';

const pipelineExtensions = ['.yaml', '.yml', '.json'];

/** The folder of the built-in pipelines (`<package root>/pipelines`); `VIDTOK_PIPELINES_DIR` overrides it. */
export function builtInPipelinesDirectory(): string {
  const override = process.env.VIDTOK_PIPELINES_DIR;
  if (override !== undefined && override !== '') return resolve(override);
  // src/graph/ (tsx) and dist/graph/ (compiled) are both two levels below the package root.
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'pipelines');
}

async function builtInFiles(): Promise<string[]> {
  const directory = builtInPipelinesDirectory();
  let entries: string[];
  try {
    entries = await readdir(directory);
  } catch {
    return [];
  }
  return entries
    .filter((entry) => pipelineExtensions.includes(extname(entry).toLowerCase()))
    .sort()
    .map((entry) => join(directory, entry));
}

/** Every built-in pipeline, validated, sorted by name. */
export async function listBuiltInPipelines(
  options: { readonly signal?: AbortSignal } = {},
): Promise<PipelineDefinition[]> {
  const definitions = await Promise.all((await builtInFiles()).map((file) => loadPipelineFile(file, options)));
  return definitions.sort((a, b) => a.name.localeCompare(b.name));
}

function looksLikePath(reference: string): boolean {
  return (
    reference.includes('/') ||
    reference.includes('\\') ||
    isAbsolute(reference) ||
    pipelineExtensions.includes(extname(reference).toLowerCase())
  );
}

/**
 * Resolves a pipeline reference: a path to a YAML/JSON file, or the name of a built-in pipeline. Throws
 * PipelineConfigError naming the reference (and listing the built-in names) when neither matches.
 */
export async function resolvePipeline(
  reference: string,
  options: { readonly signal?: AbortSignal } = {},
): Promise<PipelineDefinition> {
  if (looksLikePath(reference)) return loadPipelineFile(resolve(reference), options);
  for (const file of await builtInFiles()) {
    const base = file.slice(file.lastIndexOf('/') + 1).replace(/\.(ya?ml|json)$/i, '');
    if (base === reference) return loadPipelineFile(file, options);
  }
  // A bare file name in the current directory also works.
  const local = resolve(reference);
  if (
    await stat(local).then(
      (info) => info.isFile(),
      () => false,
    )
  )
    return loadPipelineFile(local, options);
  const names = (await builtInFiles()).map((file) =>
    file.slice(file.lastIndexOf('/') + 1).replace(/\.(ya?ml|json)$/i, ''),
  );
  throw new PipelineConfigError(
    reference,
    '',
    `no built-in pipeline has this name and no such file exists (built-in: ${names.join(', ') || 'none found'})`,
  );
}

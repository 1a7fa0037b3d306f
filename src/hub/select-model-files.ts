/**
 * @file Chooses which listed files a pull needs for the chosen dtypes: the root config and tokenizer files
 * (`*.json`, `*.txt`, `*.jinja`, `*.model`, `*.tiktoken`), and for each graph `onnx/{graph}{suffix}.onnx` plus its
 * external-data companions (`.onnx_data`, `.onnx_data_1`, …, the names transformers.js loads).
 */
import { ModelNotFoundError } from '../errors/index.js';
import type { RepositoryFile } from './list-repository-files.js';
import {
  classifyGraphFile,
  graphFilePath,
  modelDtypes,
  modelGraphs,
  type GraphDtypes,
  type ModelGraph,
} from './model-dtypes.js';

const rootFilePattern = /^[^/]+\.(json|txt|jinja|model|tiktoken)$/i;

/** The files to fetch, in a stable order (root files first, then graphs); every missing graph is named at once. */
export function selectModelFiles(
  files: readonly RepositoryFile[],
  dtypes: GraphDtypes,
  repositoryId: string,
): RepositoryFile[] {
  const byPath = new Map(files.map((file) => [file.path, file]));
  if (!byPath.has('config.json')) {
    throw new ModelNotFoundError(
      repositoryId,
      'the repository has no config.json at its root; it is not a model export vidtok can use',
    );
  }
  const selected = files.filter((file) => rootFilePattern.test(file.path)).sort(byPathOrder);
  const missing: string[] = [];
  for (const graph of modelGraphs) {
    const wanted = graphFilePath(graph, dtypes[graph]);
    const main = byPath.get(wanted);
    if (!main) {
      const available = availableDtypes(files, graph);
      missing.push(
        `no ${wanted} (${graph}=${dtypes[graph]}); available for ${graph}: ${available.join(', ') || 'none'}`,
      );
      continue;
    }
    selected.push(main);
    const companions = files
      .filter((file) => file.path.startsWith(`${wanted}_data`) && /\.onnx_data(_\d+)?$/.test(file.path))
      .sort(byPathOrder);
    selected.push(...companions);
  }
  // Every missing graph at once, so one message says what to choose instead.
  if (missing.length > 0) throw new ModelNotFoundError(repositoryId, `the repository has ${missing.join('; ')}`);
  return selected;
}

/** The dtypes a listing (or a folder) has for one graph, in the canonical order. */
export function availableDtypes(files: readonly { path: string }[], graph: ModelGraph): string[] {
  const found = new Set<string>();
  for (const file of files) {
    const kind = classifyGraphFile(file.path);
    if (kind && kind.graph === graph && !kind.externalData) found.add(kind.dtype);
  }
  return modelDtypes.filter((dtype) => found.has(dtype));
}

function byPathOrder(left: { path: string }, right: { path: string }): number {
  return left.path < right.path ? -1 : left.path > right.path ? 1 : 0;
}

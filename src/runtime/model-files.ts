/**
 * @file Locates the files of a Hugging Face ONNX VLM export in a directory laid out as the hub has it (config and
 * tokenizer files at the root, `onnx/{graph}{suffix}.onnx`), resolves the dtype choice per graph to file names
 * (transformers.js names and suffixes), and checks every graph before it is loaded: well-formed ONNX, and external
 * data only inside the model directory.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ModelLoadError, ModelNotFoundError } from '../errors/index.js';
import { dtypeFileSuffix, isModelDtype, modelGraphs, type ModelDtype, type ModelGraph } from '../hub/model-dtypes.js';
import { scanOnnxFile } from './onnx-file-scan.js';

export type { ModelDtype, ModelGraph };

/** One dtype for every graph, or a dtype per graph (missing graphs use fp32). */
export type DtypeChoice = string | Partial<Record<ModelGraph, string>>;

/** The files of one model directory. */
export interface ModelFiles {
  readonly directory: string;
  readonly config: string;
  readonly generationConfig?: string;
  readonly preprocessorConfig?: string;
  readonly processorConfig?: string;
  readonly tokenizer: string;
  readonly tokenizerConfig?: string;
  readonly chatTemplate?: string;
  /** Graph file per graph; vision_encoder is absent when the export has none for the chosen dtype and it is optional. */
  readonly graphs: Readonly<Partial<Record<ModelGraph, string>>>;
  readonly dtypes: Readonly<Record<ModelGraph, ModelDtype>>;
}

function resolveDtypes(choice: DtypeChoice | undefined, directory: string): Record<ModelGraph, ModelDtype> {
  const result: Record<ModelGraph, ModelDtype> = { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'fp32' };
  const check = (value: string, graph: string): ModelDtype => {
    if (!isModelDtype(value)) {
      throw new ModelLoadError(directory, `unknown dtype '${value}' for ${graph} (expected one of ${Object.keys(dtypeFileSuffix).join(', ')})`);
    }
    return value;
  };
  if (choice === undefined) return result;
  if (typeof choice === 'string') {
    const dtype = check(choice, 'every graph');
    for (const graph of modelGraphs) result[graph] = dtype;
    return result;
  }
  for (const [graph, value] of Object.entries(choice)) {
    if (!(modelGraphs as readonly string[]).includes(graph)) {
      throw new ModelLoadError(directory, `unknown graph '${graph}' in the dtype choice (expected ${modelGraphs.join(', ')})`);
    }
    if (value !== undefined) result[graph as ModelGraph] = check(value, graph);
  }
  return result;
}

function optionalFile(directory: string, name: string): string | undefined {
  const path = join(directory, name);
  return existsSync(path) ? path : undefined;
}

function isInside(root: string, candidate: string): boolean {
  const path = relative(root, candidate);
  return path !== '' && !path.startsWith('..') && !isAbsolute(path) && !path.split(sep).includes('..');
}

/** Checks a graph file: well-formed ONNX, and every external-data location stays inside `root`. */
export function checkGraphFile(path: string, root: string): void {
  const scan = scanOnnxFile(path);
  const realRoot = realpathSync(root);
  for (const location of scan.externalLocations) {
    if (isAbsolute(location)) throw new ModelLoadError(path, `external data location '${location}' is absolute; it must stay inside ${root}`);
    const target = resolve(dirname(path), location);
    if (!isInside(resolve(root), target)) {
      throw new ModelLoadError(path, `external data location '${location}' points outside the model directory ${root}`);
    }
    if (!existsSync(target)) throw new ModelLoadError(path, `external data file '${location}' is missing`);
    if (!isInside(realRoot, realpathSync(target))) {
      throw new ModelLoadError(path, `external data location '${location}' resolves (through a link) outside the model directory ${root}`);
    }
  }
}

export interface LocateOptions {
  readonly dtype?: DtypeChoice;
  /** Require vision_encoder (default true). */
  readonly requireVision?: boolean;
}

/** Locates and checks the files of the export in `directory`; missing directory → ModelNotFoundError, missing graph or config → ModelLoadError. */
export function locateModelFiles(directory: string, options: LocateOptions = {}): ModelFiles {
  const root = resolve(directory);
  if (!existsSync(root)) throw new ModelNotFoundError(directory, 'no such model directory (pull one with `vidtok models pull`, or pass an export directory)');
  if (!statSync(root).isDirectory()) throw new ModelNotFoundError(directory, 'is not a directory (expected an ONNX export directory)');
  const config = join(root, 'config.json');
  if (!existsSync(config)) throw new ModelNotFoundError(directory, 'has no config.json (not a Hugging Face export directory)');
  const tokenizer = join(root, 'tokenizer.json');
  if (!existsSync(tokenizer)) throw new ModelLoadError(tokenizer, 'missing (the runtime needs the model tokenizer)');
  const dtypes = resolveDtypes(options.dtype, directory);
  const graphs: Partial<Record<ModelGraph, string>> = {};
  for (const graph of modelGraphs) {
    const path = join(root, 'onnx', `${graph}${dtypeFileSuffix[dtypes[graph]]}.onnx`);
    if (!existsSync(path)) {
      if (graph === 'vision_encoder' && options.requireVision === false) continue;
      throw new ModelLoadError(path, `missing graph ${graph} for dtype ${dtypes[graph]}`);
    }
    checkGraphFile(path, root);
    graphs[graph] = path;
  }
  const files: ModelFiles = {
    directory: root,
    config,
    tokenizer,
    graphs,
    dtypes,
    ...withOptional('generationConfig', optionalFile(root, 'generation_config.json')),
    ...withOptional('preprocessorConfig', optionalFile(root, 'preprocessor_config.json')),
    ...withOptional('processorConfig', optionalFile(root, 'processor_config.json')),
    ...withOptional('tokenizerConfig', optionalFile(root, 'tokenizer_config.json')),
    ...withOptional('chatTemplate', optionalFile(root, 'chat_template.json')),
  };
  return files;
}

function withOptional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

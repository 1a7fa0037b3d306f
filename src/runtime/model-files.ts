/**
 * @file Locates the files of a Hugging Face ONNX VLM export in a directory laid out as the hub has it (config and
 * tokenizer files at the root, `onnx/{graph}{suffix}.onnx`), resolves the dtype choice per graph to file names
 * (transformers.js names and suffixes), and checks every graph before it is loaded: well-formed ONNX, and external
 * data only inside the model directory.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ModelLoadError, ModelNotFoundError } from '../errors/index.js';
import { dtypeFileSuffix, isModelDtype, modelGraphs, type ModelDtype, type ModelGraph } from '../hub/model-dtypes.js';
import { checkExternalDataSizes, checkModelMemory } from './model-file-limits.js';
import { scanOnnxFile } from './onnx-file-scan.js';

export type { ModelDtype, ModelGraph };

/** One dtype for every graph, or a dtype per graph (graphs left out are chosen automatically). */
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

/** Preference when no dtype is chosen and config.json names none: full precision first, as transformers.js on CPU. */
const automaticOrder: readonly ModelDtype[] = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4f16', 'q4', 'bnb4'];

function graphPath(root: string, graph: ModelGraph, dtype: ModelDtype): string {
  return join(root, 'onnx', `${graph}${dtypeFileSuffix[dtype]}.onnx`);
}

function checkDtype(value: string, graph: string, directory: string): ModelDtype {
  if (!isModelDtype(value)) {
    throw new ModelLoadError(
      directory,
      `unknown dtype '${value}' for ${graph} (expected one of ${Object.keys(dtypeFileSuffix).join(', ')})`,
    );
  }
  return value;
}

/** config.json `transformers.js_config.dtype`, when the export names its default dtypes. */
function configuredDtypes(root: string): DtypeChoice | undefined {
  try {
    const config = JSON.parse(readFileSync(join(root, 'config.json'), 'utf8')) as Record<string, unknown>;
    const dtype = (config['transformers.js_config'] as Record<string, unknown> | undefined)?.['dtype'];
    return typeof dtype === 'string' || (typeof dtype === 'object' && dtype !== null)
      ? (dtype as DtypeChoice)
      : undefined;
  } catch {
    return undefined; // an unreadable config.json is reported by the config reader
  }
}

/**
 * The dtype per graph: the explicit choice (missing graphs of a per-graph choice fall back to automatic), else
 * config.json's `transformers.js_config.dtype`, else per graph the first variant present in `automaticOrder`.
 */
function resolveDtypes(
  choice: DtypeChoice | undefined,
  root: string,
  directory: string,
): Record<ModelGraph, ModelDtype> {
  const explicit: Partial<Record<ModelGraph, ModelDtype>> = {};
  const effective = choice ?? configuredDtypes(root);
  if (typeof effective === 'string') {
    const dtype = checkDtype(effective, 'every graph', directory);
    for (const graph of modelGraphs) explicit[graph] = dtype;
  } else if (effective !== undefined) {
    for (const [graph, value] of Object.entries(effective)) {
      if (!(modelGraphs as readonly string[]).includes(graph)) {
        throw new ModelLoadError(
          directory,
          `unknown graph '${graph}' in the dtype choice (expected ${modelGraphs.join(', ')})`,
        );
      }
      if (value !== undefined) explicit[graph as ModelGraph] = checkDtype(value, graph, directory);
    }
  }
  const result = {} as Record<ModelGraph, ModelDtype>;
  for (const graph of modelGraphs) {
    result[graph] =
      explicit[graph] ?? automaticOrder.find((dtype) => existsSync(graphPath(root, graph, dtype))) ?? 'fp32';
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
    if (isAbsolute(location))
      throw new ModelLoadError(path, `external data location '${location}' is absolute; it must stay inside ${root}`);
    const target = resolve(dirname(path), location);
    if (!isInside(resolve(root), target)) {
      throw new ModelLoadError(path, `external data location '${location}' points outside the model directory ${root}`);
    }
    if (!existsSync(target)) throw new ModelLoadError(path, `external data file '${location}' is missing`);
    if (!isInside(realRoot, realpathSync(target))) {
      throw new ModelLoadError(
        path,
        `external data location '${location}' resolves (through a link) outside the model directory ${root}`,
      );
    }
  }
  checkExternalDataSizes(path, scan);
}

export interface LocateOptions {
  readonly dtype?: DtypeChoice;
  /** Require vision_encoder (default true). */
  readonly requireVision?: boolean;
}

/** Locates and checks the files of the export in `directory`; missing directory → ModelNotFoundError, missing graph or config → ModelLoadError. */
export function locateModelFiles(directory: string, options: LocateOptions = {}): ModelFiles {
  const root = resolve(directory);
  if (!existsSync(root))
    throw new ModelNotFoundError(
      directory,
      'no such model directory (pull one with `vidtok models pull`, or pass an export directory)',
    );
  if (!statSync(root).isDirectory())
    throw new ModelNotFoundError(directory, 'is not a directory (expected an ONNX export directory)');
  const config = join(root, 'config.json');
  if (!existsSync(config))
    throw new ModelNotFoundError(directory, 'has no config.json (not a Hugging Face export directory)');
  const tokenizer = join(root, 'tokenizer.json');
  if (!existsSync(tokenizer)) throw new ModelLoadError(tokenizer, 'missing (the runtime needs the model tokenizer)');
  const dtypes = resolveDtypes(options.dtype, root, directory);
  const graphs: Partial<Record<ModelGraph, string>> = {};
  for (const graph of modelGraphs) {
    const path = graphPath(root, graph, dtypes[graph]);
    if (!existsSync(path)) {
      if (graph === 'vision_encoder' && options.requireVision === false) continue;
      throw new ModelLoadError(path, `missing graph ${graph} for dtype ${dtypes[graph]}`);
    }
    checkGraphFile(path, root);
    graphs[graph] = path;
  }
  checkModelMemory(directory, Object.values(graphs));
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

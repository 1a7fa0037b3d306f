/**
 * @file The ONNX dtypes of the Hugging Face exports, their file-name suffixes (transformers.js
 * `DEFAULT_DTYPE_SUFFIX_MAPPING`), the three graphs a VLM export ships, and the `--dtype` option syntax: one dtype
 * for every graph (`q4`) or one per graph (`embed_tokens=fp16,vision_encoder=q4,decoder_model_merged=q4`).
 */
import { UsageError } from '../errors/index.js';

/** The dtypes an export may ship, in the order `vidtok models list` prints them. */
export const modelDtypes = ['fp32', 'fp16', 'q4', 'q4f16', 'int8', 'uint8', 'q8', 'bnb4'] as const;

export type ModelDtype = (typeof modelDtypes)[number];

/** File-name suffix of each dtype: `onnx/{graph}{suffix}.onnx`. */
export const dtypeFileSuffix: Readonly<Record<ModelDtype, string>> = {
  fp32: '',
  fp16: '_fp16',
  q4: '_q4',
  q4f16: '_q4f16',
  int8: '_int8',
  uint8: '_uint8',
  q8: '_quantized',
  bnb4: '_bnb4',
};

/** The graphs of a VLM export, each a separate ONNX session. */
export const modelGraphs = ['embed_tokens', 'vision_encoder', 'decoder_model_merged'] as const;

export type ModelGraph = (typeof modelGraphs)[number];

/** One dtype per graph. */
export type GraphDtypes = Readonly<Record<ModelGraph, ModelDtype>>;

/** True when `value` names a dtype. */
export function isModelDtype(value: string): value is ModelDtype {
  return (modelDtypes as readonly string[]).includes(value);
}

/** True when `value` names a graph. */
export function isModelGraph(value: string): value is ModelGraph {
  return (modelGraphs as readonly string[]).includes(value);
}

/** The same dtype for every graph. */
export function uniformDtypes(dtype: ModelDtype): GraphDtypes {
  return { embed_tokens: dtype, vision_encoder: dtype, decoder_model_merged: dtype };
}

/**
 * Parses a `--dtype` value. A bare dtype applies to every graph; `graph=dtype` pairs override `defaults` per graph.
 * Throws UsageError naming the value when a dtype or graph is unknown or a graph is named twice.
 */
export function parseDtypeOption(value: string, defaults: GraphDtypes): GraphDtypes {
  const text = value.trim();
  if (isModelDtype(text)) return uniformDtypes(text);
  if (!text.includes('=')) {
    throw new UsageError(
      `--dtype '${value}': unknown dtype (expected one of ${modelDtypes.join(', ')}, or graph=dtype pairs)`,
    );
  }
  const result: Record<ModelGraph, ModelDtype> = { ...defaults };
  const seen = new Set<string>();
  for (const part of text.split(',')) {
    const [graph = '', dtype = '', extra] = part.split('=').map((piece) => piece.trim());
    if (extra !== undefined || !isModelGraph(graph)) {
      throw new UsageError(
        `--dtype '${value}': '${part}' is not graph=dtype with a graph of ${modelGraphs.join(', ')}`,
      );
    }
    if (!isModelDtype(dtype)) {
      throw new UsageError(`--dtype '${value}': unknown dtype '${dtype}' (expected one of ${modelDtypes.join(', ')})`);
    }
    if (seen.has(graph)) throw new UsageError(`--dtype '${value}': graph '${graph}' is named twice`);
    seen.add(graph);
    result[graph] = dtype;
  }
  return result;
}

/** Formats per-graph dtypes the way `--dtype` accepts them (a bare dtype when all graphs agree). */
export function formatDtypes(dtypes: GraphDtypes): string {
  const values = new Set(modelGraphs.map((graph) => dtypes[graph]));
  if (values.size === 1) return dtypes.embed_tokens;
  return modelGraphs.map((graph) => `${graph}=${dtypes[graph]}`).join(',');
}

/** The repository path of one graph file: `onnx/{graph}{suffix}.onnx`. */
export function graphFilePath(graph: ModelGraph, dtype: ModelDtype): string {
  return `onnx/${graph}${dtypeFileSuffix[dtype]}.onnx`;
}

/**
 * Which graph and dtype an `onnx/` file belongs to (including its `.onnx_data` companions), or undefined for other
 * files. The suffix must match exactly, so `_q4f16` is never read as `_q4`.
 */
export function classifyGraphFile(
  path: string,
): { graph: ModelGraph; dtype: ModelDtype; externalData: boolean } | undefined {
  const match = /^onnx\/([A-Za-z0-9_]+)\.onnx(_data(?:_\d+)?)?$/.exec(path);
  if (!match) return undefined;
  const [, name = '', data] = match;
  for (const graph of modelGraphs) {
    if (!name.startsWith(graph)) continue;
    const rest = name.slice(graph.length);
    const dtype = modelDtypes.find((candidate) => dtypeFileSuffix[candidate] === rest);
    if (dtype) return { graph, dtype, externalData: data !== undefined };
  }
  return undefined;
}

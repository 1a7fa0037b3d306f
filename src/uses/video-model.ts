/**
 * @file Opening the VLM the use cases talk to: resolve an alias or directory through src/hub (a missing model throws
 * ModelNotFoundError with the `vidtok models pull` hint, exit 8), pick the dtypes (`--dtype`, else what the
 * directory holds, preferring the alias's pull defaults, then fp32), and load it with the child runner so inference never blocks this event
 * loop. Also gives the model a stable identity for job keys, and checks a forced encoder against the LM.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { VisualEncoder } from '../core/encoder.js';
import { GraphNegotiationError } from '../errors/index.js';
import {
  classifyGraphFile,
  fallbackDtypes,
  findModelAlias,
  formatDtypes,
  modelDtypes,
  modelGraphs,
  parseDtypeOption,
  resolveModelDirectory,
  type GraphDtypes,
  type ModelDtype,
  type ModelGraph,
} from '../hub/index.js';
import { resolveEncoder } from '../encoders/index.js';
import { loadModel, type ExecutionDevice, type QuantizedCompute, type VlmModel } from '../runtime/index.js';
import { defaultVideoModel } from './use-defaults.js';

export interface OpenVideoModelOptions {
  /** `--dtype`: one dtype (`q4`) or `graph=dtype` pairs; default: see chooseDtypes. */
  readonly dtype?: string;
  /** Where inference runs (default 'child', which keeps this event loop free). */
  readonly runner?: 'child' | 'in-process';
  /** onnxruntime intra-op threads. */
  readonly threads?: number;
  /** `--device`: cpu (default), cuda (an error when unavailable) or auto (CUDA when it opens, else CPU and a notice). */
  readonly device?: ExecutionDevice;
  /** `--quantized-compute`: how MatMulNBits nodes compute on the CPU (default auto; see docs/runtime.md). */
  readonly quantizedCompute?: QuantizedCompute;
  /** One line per fallback the load made (`device auto: running on the CPU (…)`). */
  readonly onNotice?: (message: string) => void;
  readonly signal?: AbortSignal;
}

export interface OpenedVideoModel {
  readonly model: VlmModel;
  /** The absolute model directory. */
  readonly directory: string;
  /** Stable identity for job keys: the alias (or `owner/name`), or `dir:<name>#<config hash>`, plus the dtypes. */
  readonly identity: string;
  /** Milliseconds spent resolving and loading. */
  readonly loadMilliseconds: number;
}

/** The dtypes whose graph files are present in `directory/onnx`, per graph. */
export async function presentDtypes(directory: string): Promise<Record<ModelGraph, ModelDtype[]>> {
  const present: Record<ModelGraph, ModelDtype[]> = { embed_tokens: [], vision_encoder: [], decoder_model_merged: [] };
  for (const name of await readdir(join(directory, 'onnx')).catch(() => [] as string[])) {
    const graph = classifyGraphFile(`onnx/${name}`);
    if (graph && !graph.externalData && !present[graph.graph].includes(graph.dtype))
      present[graph.graph].push(graph.dtype);
  }
  for (const graph of modelGraphs) present[graph].sort((a, b) => modelDtypes.indexOf(a) - modelDtypes.indexOf(b));
  return present;
}

/**
 * The dtypes a model loads with. Per graph, without `--dtype`: the alias's pull default when its file is present,
 * else fp32 when present, else the first dtype present (so a directory holding only q4 graphs works). `--dtype` with
 * one dtype sets every graph; `graph=dtype` pairs set those graphs and leave the others at that per-graph choice, so
 * `decoder_model_merged=q4f16` on an export without an fp32 embed still loads the embed the directory has. Without a
 * directory (a queue producer without a local copy) the alias's defaults, else fp32, stand for what is present.
 */
export async function chooseDtypes(
  modelSpec: string,
  dtype: string | undefined,
  directory?: string,
): Promise<GraphDtypes> {
  const alias = findModelAlias(modelSpec);
  const preferred = alias?.defaultDtypes ?? fallbackDtypes;
  const fromDirectory =
    directory === undefined ? preferred : choosePresentDtypes(preferred, await presentDtypes(directory));
  return dtype === undefined ? fromDirectory : parseDtypeOption(dtype, fromDirectory);
}

function choosePresentDtypes(preferred: GraphDtypes, present: Record<ModelGraph, ModelDtype[]>): GraphDtypes {
  const chosen = {} as Record<ModelGraph, ModelDtype>;
  for (const graph of modelGraphs) {
    const options = present[graph];
    chosen[graph] = options.includes(preferred[graph])
      ? preferred[graph]
      : options.includes('fp32')
        ? 'fp32'
        : (options[0] ?? preferred[graph]);
  }
  return chosen;
}

/**
 * The identity of a model for job keys. Aliases and repository ids stand for themselves (a producer needs no local
 * copy); a directory is named by its folder name and the sha256 of its config.json, so the same export in two places
 * gives the same key.
 */
export async function modelIdentity(
  modelSpec: string,
  directory: string | undefined,
  dtype: string | undefined,
  quantizedCompute?: QuantizedCompute,
): Promise<string> {
  // Outputs differ with the MatMulNBits compute, so a non-default choice is part of the identity (job keys).
  const computeSuffix =
    quantizedCompute === undefined || quantizedCompute === 'auto' ? '' : `;quantized-compute=${quantizedCompute}`;
  return `${await dtypeIdentity(modelSpec, directory, dtype)}${computeSuffix}`;
}

async function dtypeIdentity(
  modelSpec: string,
  directory: string | undefined,
  dtype: string | undefined,
): Promise<string> {
  const alias = findModelAlias(modelSpec);
  // An alias need not be present (a queue producer may have no copy); when it is, its files decide the dtypes.
  const resolved =
    directory ??
    (alias ? await resolveModelDirectory(modelSpec).catch(() => undefined) : await resolveModelDirectory(modelSpec));
  const dtypeText = formatDtypes(await chooseDtypes(modelSpec, dtype, resolved));
  if (alias) return `${alias.repositoryId}:${dtypeText}`;
  if (resolved === undefined) throw new RangeError('unreachable: a non-alias model always resolves to a directory');
  const config = await readFile(join(resolved, 'config.json'));
  const hash = createHash('sha256').update(config).digest('hex').slice(0, 16);
  const name = resolved.split(/[/\\]/).filter(Boolean).pop() ?? 'model';
  return `dir:${name}#${hash}:${dtypeText}`;
}

/** Resolves and loads `modelSpec` (alias, `owner/name` or directory; default smolvlm2-256m). */
export async function openVideoModel(
  modelSpec: string = defaultVideoModel,
  options: OpenVideoModelOptions = {},
): Promise<OpenedVideoModel> {
  const startedAt = performance.now();
  const directory = await resolveModelDirectory(modelSpec);
  const dtypes = await chooseDtypes(modelSpec, options.dtype, directory);
  const identity = await modelIdentity(modelSpec, directory, options.dtype, options.quantizedCompute);
  const model = await loadModel(directory, {
    runner: options.runner ?? 'child',
    dtype: dtypes,
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(options.device !== undefined ? { device: options.device } : {}),
    ...(options.quantizedCompute !== undefined ? { quantizedCompute: options.quantizedCompute } : {}),
    ...(options.onNotice ? { onNotice: options.onNotice } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { model, directory, identity, loadMilliseconds: performance.now() - startedAt };
}

/**
 * The visual encoder for a run: the model's own vision tower by default. A forced encoder (`--encoder pixels`, another
 * model) is resolved and must produce tokens of the language model's hidden size, otherwise a GraphNegotiationError
 * (exit 9) says so before anything is decoded. The boolean says whether the caller owns (must dispose) it.
 */
export async function videoEncoderFor(
  model: VlmModel,
  encoderSpec: string | undefined,
  options: { signal?: AbortSignal } = {},
): Promise<{ encoder: VisualEncoder; owned: boolean }> {
  if (encoderSpec === undefined || encoderSpec === 'model') return { encoder: model.encoder(), owned: false };
  const encoder = await resolveEncoder(encoderSpec, options.signal ? { signal: options.signal } : {});
  if (encoder.dim !== model.info.hidden) {
    await encoder.dispose?.().catch(() => undefined);
    throw new GraphNegotiationError(
      'encoder',
      `'${encoderSpec}' gives ${encoder.dim}-d tokens but the ${model.info.family} language model takes ${model.info.hidden}-d; leave --encoder out to use the model's own vision encoder`,
    );
  }
  return { encoder, owned: true };
}

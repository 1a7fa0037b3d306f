/**
 * @file Model files are untrusted input (onnxruntime is no safety boundary): before a graph reaches native code,
 * every tensor stored as external data must fit inside the bytes its file really has (offset + length within the
 * file, and the bytes its dims and data type need within what is listed), and the weights of all graphs together
 * must fit under a memory cap: VIDTOK_MODEL_MEMORY_LIMIT (bytes, or with K/M/G/T), by default 75 % of this
 * machine's memory. A graph that lies about its sizes, or a model too big for the cap, fails with ModelLoadError
 * (exit 8) naming the file and the numbers, instead of a native crash or an out-of-memory kill.
 */
import { statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { ModelLoadError } from '../errors/index.js';
import { scanOnnxFile, type ExternalTensor, type OnnxFileScan } from './onnx-file-scan.js';

/** Bytes per element of TensorProto.DataType (sub-byte types rounded up per element pair below). */
const bitsPerElement: Readonly<Record<number, number>> = {
  1: 32,
  2: 8,
  3: 8,
  4: 16,
  5: 16,
  6: 32,
  7: 64,
  9: 8,
  10: 16,
  11: 64,
  12: 32,
  13: 64,
  14: 64,
  15: 128,
  16: 16,
  17: 8,
  18: 8,
  19: 8,
  20: 8,
  21: 4,
  22: 4,
  23: 4,
};

/** The bytes a tensor's dims and data type need, or undefined when the type is unknown (strings, future types). */
export function tensorBytes(tensor: Pick<ExternalTensor, 'dims' | 'dataType'>): number | undefined {
  const bits = bitsPerElement[tensor.dataType];
  if (bits === undefined) return undefined;
  const elements = tensor.dims.reduce((product, dim) => product * dim, 1);
  return Math.ceil((elements * bits) / 8);
}

const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

/**
 * Checks every external tensor of the graph at `path` against the size of its data file; returns the external
 * bytes the graph will load. Throws ModelLoadError on a tensor whose bytes are not all there.
 */
export function checkExternalDataSizes(path: string, scan: OnnxFileScan = scanOnnxFile(path)): number {
  const sizes = new Map<string, number>();
  let total = 0;
  for (const tensor of scan.externalTensors) {
    const file = resolve(dirname(path), tensor.location);
    let size = sizes.get(file);
    if (size === undefined) {
      size = statSync(file).size;
      sizes.set(file, size);
    }
    const offset = tensor.offset ?? 0;
    if (offset > size)
      throw new ModelLoadError(
        path,
        `external data '${tensor.location}' offset ${offset} is past the end of the file (${size} bytes)`,
      );
    const listed = tensor.length ?? size - offset;
    if (offset + listed > size) {
      throw new ModelLoadError(
        path,
        `external data '${tensor.location}' lists bytes ${offset}..${offset + listed} but the file has ${size} bytes`,
      );
    }
    const needed = tensorBytes(tensor);
    if (needed !== undefined && needed > listed) {
      throw new ModelLoadError(
        path,
        `a tensor of shape [${tensor.dims.join(', ')}] needs ${needed} bytes but external data '${tensor.location}' lists ${listed}`,
      );
    }
    total += needed ?? listed;
  }
  return total;
}

/** The cap on a model's weights in bytes: VIDTOK_MODEL_MEMORY_LIMIT (e.g. `6G`, `512M`, `1073741824`) or 75 % of memory. */
export function modelMemoryLimitBytes(environment: NodeJS.ProcessEnv = process.env): number {
  const text = environment.VIDTOK_MODEL_MEMORY_LIMIT?.trim();
  if (!text) return Math.floor(totalmem() * 0.75);
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(text);
  if (!match)
    throw new ModelLoadError(
      'VIDTOK_MODEL_MEMORY_LIMIT',
      `'${text}' is not a size (bytes, or a number with K, M, G or T)`,
    );
  const scale = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[
    match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'
  ];
  return Math.floor(Number(match[1]) * scale);
}

/**
 * Checks the graphs of one model together: their external data is consistent and their weights (graph files plus
 * external data) fit under the memory cap. Throws ModelLoadError naming the directory and the numbers.
 */
export function checkModelMemory(
  directory: string,
  graphPaths: readonly string[],
  environment: NodeJS.ProcessEnv = process.env,
): number {
  let total = 0;
  for (const path of graphPaths) total += statSync(path).size + checkExternalDataSizes(path);
  const limit = modelMemoryLimitBytes(environment);
  if (total > limit) {
    throw new ModelLoadError(
      directory,
      `its weights need ${gib(total)}, over the limit of ${gib(limit)} (set VIDTOK_MODEL_MEMORY_LIMIT to change it; default 75 % of this machine's memory)`,
    );
  }
  return total;
}

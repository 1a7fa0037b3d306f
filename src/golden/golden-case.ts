/**
 * @file One golden case on disk: a folder with `case.json` (op, params, named inputs and outputs with file, dtype and
 * shape, atol/rtol) and one `.npy` file per array. Loading reads and checks every input; expected outputs are read
 * lazily by the comparison.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { npyToNumbers, parseNpy } from './npy.js';

export interface GoldenArraySpec {
  readonly file: string;
  readonly dtype: string;
  readonly shape: readonly number[];
}

export interface GoldenCaseSpec {
  readonly op: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly inputs: Readonly<Record<string, GoldenArraySpec>>;
  readonly outputs: Readonly<Record<string, GoldenArraySpec>>;
  readonly atol?: number;
  readonly rtol?: number;
  readonly note?: string;
}

/** An array as the ops see it: a shape and float32 values (integers are exact in float32 up to 2^24). */
export interface GoldenTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** A computed output: a shape and its numbers in C order. */
export interface GoldenOutput {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/** Reads and validates `case.json` of the case folder `directory`. */
export async function readCaseSpec(directory: string): Promise<GoldenCaseSpec> {
  const text = await readFile(join(directory, 'case.json'), 'utf8');
  const spec = JSON.parse(text) as GoldenCaseSpec;
  if (typeof spec !== 'object' || spec === null || typeof spec.op !== 'string')
    throw new Error('case.json has no "op"');
  if (typeof spec.outputs !== 'object' || spec.outputs === null) throw new Error('case.json has no "outputs"');
  return { ...spec, params: spec.params ?? {}, inputs: spec.inputs ?? {} };
}

/** Reads one array of a case as numbers (float64) with its shape; checks the shape against the spec. */
export async function readCaseArray(
  directory: string,
  name: string,
  spec: GoldenArraySpec,
): Promise<{ shape: number[]; data: Float64Array; integer: boolean }> {
  const array = parseNpy(await readFile(join(directory, spec.file)), spec.file);
  if (spec.shape !== undefined && !sameShape(array.shape, spec.shape)) {
    throw new Error(
      `${name}: ${spec.file} has shape [${array.shape.join(',')}], case.json says [${spec.shape.join(',')}]`,
    );
  }
  const integer =
    array.dtype === 'int64' || array.dtype === 'int32' || array.dtype === 'uint8' || array.dtype === 'bool';
  return { shape: [...array.shape], data: npyToNumbers(array), integer };
}

/** Reads every input of a case as float32 tensors. */
export async function readCaseInputs(directory: string, spec: GoldenCaseSpec): Promise<Record<string, GoldenTensor>> {
  const inputs: Record<string, GoldenTensor> = {};
  for (const [name, arraySpec] of Object.entries(spec.inputs)) {
    const array = await readCaseArray(directory, name, arraySpec);
    inputs[name] = { shape: array.shape, data: Float32Array.from(array.data) };
  }
  return inputs;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

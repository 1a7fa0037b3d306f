/**
 * @file The golden conformance runner: runs every case folder of a directory in the reference-vector format
 * (`case.json` + `.npy`, see shared/golden/README.md) through vidtok's implementation of its `op` and compares every
 * output. A case that cannot run (unknown op, bad file, an exception) is a failed case with the reason, never a
 * crash of the run.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AbortedError, InputNotFoundError } from '../errors/index.js';
import { readCaseArray, readCaseInputs, readCaseSpec } from './golden-case.js';
import { compareArrays } from './golden-compare.js';
import { goldenOps } from './golden-ops.js';

export interface GoldenCaseResult {
  /** Case folder name. */
  readonly name: string;
  readonly op: string;
  readonly ok: boolean;
  /** `ok`, or why the case failed (worst element, shape mismatch, unknown op, error message). */
  readonly detail: string;
  readonly milliseconds: number;
}

export interface GoldenRunOptions {
  /** Only cases whose folder name contains this substring. */
  readonly filter?: string;
  readonly signal?: AbortSignal;
  /** Called after each case (progress). */
  readonly onCase?: (result: GoldenCaseResult) => void;
}

export interface GoldenRunResult {
  readonly passed: number;
  readonly failed: number;
  readonly results: GoldenCaseResult[];
}

/** Runs one case folder. */
export async function runGoldenCase(directory: string, name = directory): Promise<GoldenCaseResult> {
  const started = performance.now();
  let op = '?';
  const finish = (ok: boolean, detail: string): GoldenCaseResult => ({
    name,
    op,
    ok,
    detail,
    milliseconds: performance.now() - started,
  });
  try {
    const spec = await readCaseSpec(directory);
    op = spec.op;
    const implementation = goldenOps[spec.op];
    if (implementation === undefined)
      return finish(false, `unknown op '${spec.op}' (known: ${Object.keys(goldenOps).join(', ')})`);
    const inputs = await readCaseInputs(directory, spec);
    const outputs = implementation(inputs, spec.params);
    const atol = spec.atol ?? 0;
    const rtol = spec.rtol ?? 0;
    const failures: string[] = [];
    for (const [outputName, outputSpec] of Object.entries(spec.outputs)) {
      const got = outputs[outputName];
      if (got === undefined) {
        failures.push(`${outputName}: not produced by op '${spec.op}'`);
        continue;
      }
      const want = await readCaseArray(directory, outputName, outputSpec);
      const compared = compareArrays(outputName, got, want, atol, rtol);
      if (!compared.ok) failures.push(compared.detail);
    }
    if (failures.length > 0) return finish(false, failures.join('; '));
    return finish(true, 'ok');
  } catch (error) {
    return finish(false, `error: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Runs every case folder (a sub-directory with a case.json) of `directory`, sorted by name. */
export async function runGoldenDirectory(directory: string, options: GoldenRunOptions = {}): Promise<GoldenRunResult> {
  let entries: string[];
  try {
    if (!(await stat(directory)).isDirectory()) throw new Error('not a directory');
    entries = (await readdir(directory)).sort();
  } catch (error) {
    throw new InputNotFoundError(
      directory,
      `cannot read golden case directory (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const results: GoldenCaseResult[] = [];
  for (const entry of entries) {
    if (options.signal?.aborted) throw new AbortedError('golden run', { cause: options.signal.reason });
    if (options.filter !== undefined && !entry.includes(options.filter)) continue;
    const folder = join(directory, entry);
    const isCase = await stat(join(folder, 'case.json')).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!isCase) continue;
    const result = await runGoldenCase(folder, entry);
    results.push(result);
    options.onCase?.(result);
  }
  const passed = results.filter((r) => r.ok).length;
  return { passed, failed: results.length - passed, results };
}

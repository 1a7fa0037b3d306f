/**
 * @file Job keys for resumable, idempotent batches. A key is the sha256 of a canonical JSON of { version, content
 * sha256 of the file (streamed), pipeline, model, parameters }, so a changed file or setting gives a new key and is
 * redone, while an unchanged one is recognised as done. Canonical JSON sorts object keys at every level.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { AbortedError, InputNotFoundError } from '../errors/index.js';
import type { JobKeyParameters } from './caption-processor.js';

/** Bumped when the meaning of outputs changes in a way the parameters do not capture. */
export const jobKeyVersion = 1;

/** JSON with object keys sorted at every level; rejects values JSON cannot represent faithfully. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not representable`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`).join(',')}}`;
  }
  throw new TypeError(`canonicalJson: ${typeof value} is not representable`);
}

/** Streams a file through sha256 and returns the hex digest. */
export async function hashFile(path: string, options: { signal?: AbortSignal } = {}): Promise<string> {
  const hash = createHash('sha256');
  try {
    const stream = createReadStream(path, { signal: options.signal, highWaterMark: 1 << 20 });
    for await (const piece of stream) hash.update(piece as Buffer);
  } catch (error) {
    if (options.signal?.aborted) throw new AbortedError(`hash ${path}`, { cause: error });
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : `cannot be read (${code ?? String(error)})`;
    throw new InputNotFoundError(path, reason, { cause: error });
  }
  return hash.digest('hex');
}

/** The key for given content hash and parameters. */
export function jobKey(contentSha256: string, parameters: JobKeyParameters): string {
  const canonical = canonicalJson({
    version: jobKeyVersion,
    content: contentSha256,
    pipeline: parameters.pipeline,
    model: parameters.model,
    parameters: parameters.parameters,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

/** Hashes the file and returns its key and content hash. */
export async function computeJobKey(
  path: string,
  parameters: JobKeyParameters,
  options: { signal?: AbortSignal } = {},
): Promise<{ key: string; contentSha256: string }> {
  const contentSha256 = await hashFile(path, options);
  return { key: jobKey(contentSha256, parameters), contentSha256 };
}

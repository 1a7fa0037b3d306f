/** @file `readJsonObject(path)`: a model folder's JSON file (config, processor, generation config) as an object. */
import { readFileSync } from 'node:fs';
import { ModelLoadError } from '../errors/index.js';

/** Reads `path` as a JSON object; a missing, unreadable or non-object file is a ModelLoadError naming the path. */
export function readJsonObject(path: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new ModelLoadError(
      path,
      `not a readable JSON object: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

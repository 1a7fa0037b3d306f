/**
 * @file Messages between the parent and the child runner (IPC with `serialization: 'advanced'`, so typed arrays
 * cross unchanged), and the mapping of typed errors to plain objects and back so a ModelLoadError raised in the
 * child is a ModelLoadError in the parent.
 */
import {
  AbortedError,
  ContextOverflowError,
  InferenceError,
  InputRejectedError,
  ModelLoadError,
  ModelNotFoundError,
  type VidtokError,
} from '../errors/index.js';

export type RunnerMethod = 'load' | 'encodeImages' | 'embed' | 'prefill' | 'step' | 'release';

export interface RunnerRequest {
  readonly id: number;
  readonly method: RunnerMethod;
  readonly params: readonly unknown[];
}

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export type RunnerResponse =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: SerializedError };

/** Sent once by the child when it is ready for requests. */
export interface RunnerReady {
  readonly ready: true;
}

/** Turns an error into a plain object that keeps the typed error's fields. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const fields: Record<string, unknown> = {};
    for (const key of ['file', 'reason', 'model', 'needed', 'allowed', 'input', 'operation']) {
      const value = (error as unknown as Record<string, unknown>)[key];
      if (value !== undefined) fields[key] = value;
    }
    return { name: error.name, message: error.message, fields };
  }
  return { name: 'Error', message: String(error), fields: {} };
}

/** Rebuilds the typed error a child raised; unknown errors become InferenceError. */
export function deserializeError(error: SerializedError): VidtokError {
  const text = (key: string): string => String(error.fields[key] ?? '');
  switch (error.name) {
    case 'ModelLoadError':
      return new ModelLoadError(text('file'), text('reason'));
    case 'ModelNotFoundError':
      return new ModelNotFoundError(text('model'), text('reason'));
    case 'ContextOverflowError':
      return new ContextOverflowError(Number(error.fields['needed']), Number(error.fields['allowed']));
    case 'InputRejectedError':
      return new InputRejectedError(text('input'), text('reason'));
    case 'AbortedError':
      return new AbortedError(text('operation'));
    default:
      return new InferenceError(`${error.name}: ${error.message}`);
  }
}

/**
 * @file Errors about models: missing directories or graphs, corrupt files, configs that disagree with graphs,
 * prompts over the context window, failed downloads.
 */
import { ExitCode } from './exit-codes.js';
import { VidtokError, type VidtokErrorOptions } from './vidtok-error.js';

/** No model at the given directory or alias; the message says how to pull one. */
export class ModelNotFoundError extends VidtokError {
  readonly code = 'MODEL_NOT_FOUND';
  readonly exitCode = ExitCode.modelError;
  constructor(
    readonly model: string,
    readonly reason: string,
    options?: VidtokErrorOptions,
  ) {
    super(`${model}: ${reason}`, options);
  }
}

/** A model file exists but cannot be loaded or is inconsistent (corrupt ONNX, wrong dims, unknown dtype). */
export class ModelLoadError extends VidtokError {
  readonly code = 'MODEL_LOAD_FAILED';
  readonly exitCode = ExitCode.modelError;
  constructor(
    readonly file: string,
    readonly reason: string,
    options?: VidtokErrorOptions,
  ) {
    super(`${file}: ${reason}`, options);
  }
}

/** The assembled prompt does not fit the model's context window. */
export class ContextOverflowError extends VidtokError {
  readonly code = 'CONTEXT_OVERFLOW';
  readonly exitCode = ExitCode.limitExceeded;
  constructor(
    readonly needed: number,
    readonly allowed: number,
    options?: VidtokErrorOptions,
  ) {
    super(
      `prompt needs ${needed} positions but the context window is ${allowed} (over by ${needed - allowed})`,
      options,
    );
  }
}

/** A model download failed (network, checksum, size). Retryable unless the checksum is wrong. */
export class DownloadError extends VidtokError {
  readonly code = 'DOWNLOAD_FAILED';
  readonly exitCode = ExitCode.modelError;
  constructor(
    readonly url: string,
    readonly reason: string,
    options?: VidtokErrorOptions,
  ) {
    super(`${url}: ${reason}`, options);
  }
}

/** The out-of-process inference runner died or failed. */
export class InferenceError extends VidtokError {
  readonly code = 'INFERENCE_FAILED';
  readonly exitCode = ExitCode.modelError;
  constructor(
    readonly reason: string,
    options?: VidtokErrorOptions,
  ) {
    super(`inference: ${reason}`, options);
  }
}

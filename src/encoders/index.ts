/**
 * @file The encoder registry. `resolveEncoder('pixels')` (or `pixels:224/16`) returns the embedded pixels encoder;
 * any other spec goes to the factories registered with `registerEncoderFactory`, then to the built-in model encoder
 * factory (model directories, aliases, cached ids), which is imported lazily so that importing this module loads
 * no runtime. Nothing able to build it → ModelNotFoundError saying what would.
 */
import type { VisualEncoder } from '../core/encoder.js';
import { ModelNotFoundError } from '../errors/index.js';
import { createPixelsEncoder, parsePixelsSpec } from './pixels.js';

export { clipMean, clipStd, createPixelsEncoder, decodePatchTokens, parsePixelsSpec } from './pixels.js';
export type { DecodePatchOptions, PixelsEncoder, PixelsEncoderOptions } from './pixels.js';
export { resizeImageArea } from './resize-image.js';

export interface ResolveEncoderOptions {
  readonly signal?: AbortSignal;
}

/**
 * Builds an encoder for `spec`, or returns undefined when the spec is not for this factory (so the next one is
 * tried). Throws a typed error when the spec is for it but cannot be loaded.
 */
export type EncoderFactory = (spec: string, options: ResolveEncoderOptions) => Promise<VisualEncoder | undefined>;

const factories: { readonly name: string; readonly factory: EncoderFactory }[] = [];

/** Registers a factory (e.g. the ONNX runtime's, for model directories and aliases); later registrations win. */
export function registerEncoderFactory(name: string, factory: EncoderFactory): () => void {
  const entry = { name, factory };
  factories.unshift(entry);
  return () => {
    const at = factories.indexOf(entry);
    if (at >= 0) factories.splice(at, 1);
  };
}

/** Name of the built-in model encoder factory, tried after the registered ones. */
const modelFactoryName = 'onnx-model';

/** Names of the factories tried for a non-pixels spec, in order (for error messages and `vidtok doctor`). */
export function encoderFactoryNames(): string[] {
  return [...factories.map((entry) => entry.name), modelFactoryName];
}

/** Resolves an encoder spec: `pixels`, `pixels:<size>/<patch>`, or whatever a registered factory accepts. */
export async function resolveEncoder(spec: string, options: ResolveEncoderOptions = {}): Promise<VisualEncoder> {
  if (spec === 'pixels' || spec.startsWith('pixels:')) return createPixelsEncoder(parsePixelsSpec(spec));
  for (const { factory } of factories) {
    const encoder = await factory(spec, options);
    if (encoder !== undefined) return encoder;
  }
  const { modelEncoderFactory } = await import('./model-encoder-factory.js');
  const encoder = await modelEncoderFactory(spec, options);
  if (encoder !== undefined) return encoder;
  const known = ` (encoder factories tried: ${encoderFactoryNames().join(', ')})`;
  throw new ModelNotFoundError(
    spec,
    `no encoder can be built from this spec${known}; use 'pixels', 'pixels:<size>/<patch>' or a model directory`,
  );
}

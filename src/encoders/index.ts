/**
 * @file The encoder registry. `resolveEncoder('pixels')` (or `pixels:224/16`) returns the embedded pixels encoder;
 * any other spec goes to the factories registered with `registerEncoderFactory` (the ONNX runtime registers one for
 * model directories and aliases). Nothing able to build it → ModelNotFoundError saying what would.
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

/** Names of the registered factories (for error messages and `vidtok doctor`). */
export function encoderFactoryNames(): string[] {
  return factories.map((entry) => entry.name);
}

/** Resolves an encoder spec: `pixels`, `pixels:<size>/<patch>`, or whatever a registered factory accepts. */
export async function resolveEncoder(spec: string, options: ResolveEncoderOptions = {}): Promise<VisualEncoder> {
  if (spec === 'pixels' || spec.startsWith('pixels:')) return createPixelsEncoder(parsePixelsSpec(spec));
  for (const { factory } of factories) {
    const encoder = await factory(spec, options);
    if (encoder !== undefined) return encoder;
  }
  const known = factories.length > 0 ? ` (registered encoder factories: ${encoderFactoryNames().join(', ')})` : ' (no model encoder factory is registered: load the runtime, or use --encoder pixels)';
  throw new ModelNotFoundError(spec, `no encoder can be built from this spec${known}; use 'pixels', 'pixels:<size>/<patch>' or a model directory`);
}

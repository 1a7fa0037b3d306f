/**
 * @file The learned video newline a model folder may carry (`image_newline.npy`, float32 `[hidden]`, written by
 * `vidtok models pull` from LLaVA-OneVision's model.safetensors): the family's prompt ends a video with one more
 * placeholder (`frames·196 + 1` for LLaVA-OneVision, as the reference) and the runtime writes this row there, right
 * after the rows of the stream's last video segment. The token stream itself stays `frames·196`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TokenStream } from '../core/token-stream.js';
import { ModelLoadError } from '../errors/index.js';
import { parseNpy } from '../golden/npy.js';

export const videoNewlineFileName = 'image_newline.npy';

/** The vector in `directory`, checked to be float32 `[hidden]`; undefined when the folder has none. */
export function readVideoNewline(directory: string, hidden: number): Float32Array | undefined {
  const path = join(directory, videoNewlineFileName);
  if (!existsSync(path)) return undefined;
  let array;
  try {
    array = parseNpy(readFileSync(path), videoNewlineFileName);
  } catch (error) {
    throw new ModelLoadError(
      path,
      `not a readable .npy file: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  if (array.dtype !== 'float32' || array.shape.length !== 1 || array.shape[0] !== hidden) {
    throw new ModelLoadError(
      path,
      `is ${array.dtype} [${array.shape.join(', ')}], expected float32 [${hidden}] (the LM hidden size)`,
    );
  }
  return array.data;
}

/** Index of the segment the newline follows: the last visual segment that is video frames (not an image), or -1. */
export function videoNewlineSegment(stream: TokenStream): number {
  for (let index = stream.segments.length - 1; index >= 0; index--) {
    const segment = stream.segments[index]!;
    if (segment.type === 'visual' && !segment.isImage && segment.tiles === undefined) return index;
  }
  return -1;
}

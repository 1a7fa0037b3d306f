/**
 * @file LLaVA-OneVision's learned `image_newline` vector, which the reference appends once after a video's visual
 * tokens (`frames·196 + 1`). It is a tensor of `model.safetensors`, not of any ONNX graph, so a pull of a
 * `llava_onevision` repository reads just that tensor with HTTP range requests (see safetensors-tensor.ts) and stores
 * it in the snapshot as `image_newline.npy` (float32 `[hidden]`). The manifest records where it came from (file,
 * listed sha256, header key, byte range, header sha256) so a later pull keeps it while the listing says
 * model.safetensors is unchanged.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DownloadError } from '../errors/index.js';
import { encodeNpy } from '../golden/npy.js';
import { fetchByteRange } from './fetch-byte-range.js';
import { resolveFileUrl, type HubConnection } from './hub-endpoint.js';
import type { RepositoryFile } from './list-repository-files.js';
import { readSafetensorsTensor } from './safetensors-tensor.js';

/** The file the runtime reads; float32 `[hidden]` in .npy format. */
export const videoNewlineFileName = 'image_newline.npy';
const sourcePath = 'model.safetensors';

/** A file a pull derived from part of a listed file (so the listing's checksum does not apply to it). */
export interface DerivedFile {
  readonly size: number;
  readonly sha256: string;
  readonly source: {
    readonly path: string;
    /** sha256 the listing gave the whole source file (not checkable from a partial read). */
    readonly sha256?: string;
    readonly tensor: string;
    readonly dtype: string;
    readonly byteRange: readonly [number, number];
    readonly headerSha256: string;
  };
}

/** The LM hidden size when `configText` is a llava_onevision config.json, else undefined. */
function llavaHiddenSize(configText: string): number | undefined {
  try {
    const config = JSON.parse(configText) as { model_type?: unknown; text_config?: { hidden_size?: unknown } };
    if (config.model_type !== 'llava_onevision') return undefined;
    const hidden = config.text_config?.hidden_size;
    return typeof hidden === 'number' && Number.isSafeInteger(hidden) && hidden > 0 ? hidden : 896;
  } catch {
    return undefined;
  }
}

/** What the newline needs in this pull: nothing, or the config's hidden size and the listed source file. */
export async function videoNewlineSource(
  configPath: string,
  listed: readonly RepositoryFile[],
): Promise<{ readonly hidden: number; readonly file: RepositoryFile } | undefined> {
  const text = await readFile(configPath, 'utf8').catch(() => undefined);
  const hidden = text === undefined ? undefined : llavaHiddenSize(text);
  const file = listed.find((entry) => entry.path === sourcePath);
  return hidden === undefined || file === undefined ? undefined : { hidden, file };
}

/** True when `entry` (from a previous manifest) was derived from the same listed source file. */
export function videoNewlineCurrent(entry: DerivedFile | undefined, source: RepositoryFile): boolean {
  return (
    entry !== undefined &&
    entry.source.path === source.path &&
    entry.source.sha256 === source.sha256 &&
    source.sha256 !== undefined
  );
}

export interface FetchVideoNewlineRequest {
  readonly connection: HubConnection;
  readonly repositoryId: string;
  /** The revision or commit to read at. */
  readonly revision: string;
  readonly hidden: number;
  readonly file: RepositoryFile;
  /** Folder the .npy is written into. */
  readonly folder: string;
  readonly signal?: AbortSignal;
}

/**
 * Reads the tensor with range requests, writes `image_newline.npy` into `folder` and returns its manifest entry;
 * undefined when model.safetensors has no image_newline tensor.
 */
export async function fetchVideoNewline(request: FetchVideoNewlineRequest): Promise<DerivedFile | undefined> {
  const { connection } = request;
  const url = resolveFileUrl(connection.endpoint, request.repositoryId, request.revision, request.file.path);
  const tensor = await readSafetensorsTensor(
    (start, end) =>
      fetchByteRange({
        url,
        start,
        end,
        ...(connection.token ? { token: connection.token } : {}),
        tokenOrigin: new URL(connection.endpoint).origin,
        fetch: connection.fetch,
        ...(request.signal ? { signal: request.signal } : {}),
      }),
    url,
    (name) => name === 'image_newline' || name.endsWith('.image_newline'),
    [request.hidden],
  );
  if (tensor === undefined) return undefined;
  if (tensor.fileSize !== request.file.size) {
    throw new DownloadError(url, `the server reports ${tensor.fileSize} bytes, the listing ${request.file.size}`);
  }
  const bytes = encodeNpy({ dtype: 'float32', shape: [request.hidden], data: tensor.values });
  await writeFile(join(request.folder, videoNewlineFileName), bytes);
  return {
    size: bytes.byteLength,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    source: {
      path: request.file.path,
      ...(request.file.sha256 ? { sha256: request.file.sha256 } : {}),
      tensor: tensor.name,
      dtype: tensor.dtype,
      byteRange: tensor.byteRange,
      headerSha256: tensor.headerSha256,
    },
  };
}

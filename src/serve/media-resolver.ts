/**
 * @file Turns a media URL from a request into something the pipeline may read, and the key its prefilled context is
 * cached under. Local files only inside the `--media-dir` folders: `file://` URLs, or paths relative to one of the
 * folders; symlinks are resolved before the containment check, so a link pointing outside is refused (403) like a
 * `../` path. http(s) URLs are downloaded under the network policy (download-media.ts; each URL once per server
 * run, the last 64 remembered), so they are read like files and keyed by content. `data:` URLs are accepted
 * for images only (PNG, JPEG, WebP, GIF by their magic bytes) and stored content-addressed in a scratch folder.
 * Anything else is a 403. A file is keyed by the SHA-256 of its content (remembered per path, size and mtime).
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { downloadMedia, type DownloadedMedia } from './download-media.js';
import { HttpError } from './openai-error.js';

export type MediaKind = 'video' | 'image';

export interface ResolvedMedia {
  /** What the pipeline reads: an absolute real path, or an http(s) URL. */
  readonly input: string;
  /** Cache identity of the content: `sha256:<hex>`. */
  readonly contentKey: string;
}

export interface MediaResolverOptions {
  /** Folders local media may come from; none = no local files. */
  readonly mediaDirectories: readonly string[];
  /** Where decoded `data:` images and downloads are stored. */
  readonly scratchDirectory: string;
  /** Largest http(s) download, bytes (default 1 GiB). */
  readonly maxDownloadBytes?: number;
  /** Deadline of one download, milliseconds (default 5 minutes). */
  readonly downloadDeadlineMs?: number;
}

const imageSignatures: ReadonlyArray<{ readonly extension: string; readonly test: (bytes: Buffer) => boolean }> = [
  {
    extension: 'png',
    test: (bytes) => bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  { extension: 'jpg', test: (bytes) => bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff },
  {
    extension: 'webp',
    test: (bytes) =>
      bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP',
  },
  { extension: 'gif', test: (bytes) => bytes.subarray(0, 4).toString('latin1') === 'GIF8' },
];

const forbidden = (url: string, why: string): HttpError =>
  new HttpError(403, 'permission_error', `${url}: ${why}`, 'media_forbidden');
const notFound = (url: string): HttpError =>
  new HttpError(400, 'invalid_request_error', `${url}: no such media file`, 'media_not_found');

function inside(directory: string, path: string): boolean {
  const between = relative(directory, path);
  return between === '' || (!between.startsWith(`..${sep}`) && between !== '..' && !isAbsolute(between));
}

export class MediaResolver {
  private readonly hashes = new Map<string, { size: number; modified: number; hash: string }>();
  private readonly downloads = new Map<string, Promise<DownloadedMedia>>();
  private realDirectories: Promise<string[]> | undefined;

  constructor(private readonly options: MediaResolverOptions) {}

  private directories(): Promise<string[]> {
    this.realDirectories ??= Promise.all(
      this.options.mediaDirectories.map((directory) => fs.realpath(resolve(directory))),
    );
    return this.realDirectories;
  }

  /** Resolves `url` of a `kind` part; throws HttpError 403 (not allowed), 400 (missing, malformed). */
  async resolve(url: string, kind: MediaKind): Promise<ResolvedMedia> {
    if (typeof url !== 'string' || url.length === 0)
      throw new HttpError(400, 'invalid_request_error', 'a media part needs a url', 'invalid_value');
    const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
    if (scheme === 'data') {
      if (kind !== 'image') throw forbidden('data: URL', 'data: URLs are accepted for images only');
      return this.dataImage(url);
    }
    if (scheme === 'http' || scheme === 'https') {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new HttpError(400, 'invalid_request_error', `${url}: not a valid URL`, 'invalid_value');
      }
      const downloaded = await this.download(parsed.href);
      return { input: downloaded.path, contentKey: `sha256:${downloaded.sha256}` };
    }
    let path: string;
    if (scheme === 'file') {
      try {
        path = fileURLToPath(url);
      } catch {
        throw forbidden(url, 'a file URL must name a local absolute path');
      }
    } else if (scheme !== undefined && scheme.length > 1) {
      throw forbidden(
        url,
        `URL scheme '${scheme}:' is not allowed (allowed: file:// under --media-dir, paths relative to it, http(s), data: images)`,
      );
    } else path = url;
    return this.localFile(url, path);
  }

  private async localFile(url: string, path: string): Promise<ResolvedMedia> {
    const directories = await this.directories();
    if (directories.length === 0)
      throw forbidden(url, 'local files are not served (start the server with --media-dir)');
    const candidates = isAbsolute(path) ? [resolve(path)] : directories.map((directory) => resolve(directory, path));
    let lexicallyInside = false;
    for (const candidate of candidates) {
      if (!directories.some((directory) => inside(directory, candidate)) && !isAbsolute(path)) continue;
      let real: string;
      try {
        real = await fs.realpath(candidate);
      } catch {
        if (directories.some((directory) => inside(directory, candidate))) lexicallyInside = true;
        continue;
      }
      if (!directories.some((directory) => inside(directory, real)))
        throw forbidden(url, 'outside the --media-dir folders');
      const stats = await fs.stat(real);
      if (!stats.isFile())
        throw new HttpError(400, 'invalid_request_error', `${url}: not a regular file`, 'media_rejected');
      return { input: real, contentKey: `sha256:${await this.hashOf(real, stats.size, stats.mtimeMs)}` };
    }
    if (lexicallyInside) throw notFound(url);
    throw forbidden(url, 'outside the --media-dir folders');
  }

  private async download(href: string): Promise<DownloadedMedia> {
    const known = this.downloads.get(href);
    if (known) {
      const done = await known.catch(() => undefined);
      if (
        done &&
        (await fs.stat(done.path).then(
          () => true,
          () => false,
        ))
      )
        return done;
      this.downloads.delete(href);
    }
    const started = downloadMedia(href, join(this.options.scratchDirectory, 'downloads'), {
      maxBytes: this.options.maxDownloadBytes ?? 2 ** 30,
      deadlineMs: this.options.downloadDeadlineMs ?? 300_000,
    });
    this.downloads.set(href, started);
    started.catch(() => this.downloads.delete(href));
    while (this.downloads.size > 64) this.downloads.delete(this.downloads.keys().next().value as string);
    return started;
  }

  private async hashOf(path: string, size: number, modified: number): Promise<string> {
    const known = this.hashes.get(path);
    if (known && known.size === size && known.modified === modified) return known.hash;
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    const hex = hash.digest('hex');
    if (this.hashes.size > 1024) this.hashes.clear();
    this.hashes.set(path, { size, modified, hash: hex });
    return hex;
  }

  private async dataImage(url: string): Promise<ResolvedMedia> {
    const match = /^data:([a-z0-9.+/-]*)(;[^,]*)?,(.*)$/is.exec(url);
    if (!match || !/;base64$/i.test(match[2] ?? ''))
      throw new HttpError(400, 'invalid_request_error', 'data: URL: only base64 images are accepted', 'invalid_value');
    const bytes = Buffer.from(match[3]!, 'base64');
    const signature = imageSignatures.find((entry) => entry.test(bytes));
    if (!signature)
      throw new HttpError(
        400,
        'invalid_request_error',
        'data: URL: not a PNG, JPEG, WebP or GIF image',
        'media_rejected',
      );
    const hex = createHash('sha256').update(bytes).digest('hex');
    await fs.mkdir(this.options.scratchDirectory, { recursive: true });
    const path = join(this.options.scratchDirectory, `${hex}.${signature.extension}`);
    await fs.writeFile(path, bytes, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    return { input: path, contentKey: `sha256:${hex}` };
  }
}

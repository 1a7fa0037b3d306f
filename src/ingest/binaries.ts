/**
 * @file Finds working ffmpeg and ffprobe binaries. Order: `VIDTOK_FFMPEG` / `VIDTOK_FFPROBE`, the optional
 * `ffmpeg-static` package (usually absent offline, imported dynamically), `@ffmpeg-installer/ffmpeg` +
 * `@ffprobe-installer/ffprobe`, then `ffmpeg` / `ffprobe` on PATH. Each candidate must answer `-version`; a
 * half-installed binary (missing shared library, no execute bit) is skipped.
 */
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { FfmpegNotFoundError } from '../errors/index.js';
import { runToCompletion } from './ffmpeg-adapter.js';

export type BinarySource = 'env' | 'ffmpeg-static' | '@ffmpeg-installer' | 'PATH';

export interface BinaryInfo {
  readonly path: string;
  /** The version word after `ffmpeg version` / `ffprobe version`, e.g. `5.1.9-0+deb12u1` or `N-47683-g0e8eb07980-static`. */
  readonly version: string;
  readonly source: BinarySource;
}

export interface ResolvedBinaries {
  readonly ffmpeg: BinaryInfo;
  readonly ffprobe: BinaryInfo;
}

type BinaryName = 'ffmpeg' | 'ffprobe';

interface Candidate {
  readonly path: string;
  readonly source: BinarySource;
}

const require = createRequire(import.meta.url);
const versionDeadlineMs = 10_000;

function installerPath(binary: BinaryName): string | undefined {
  const packageName = binary === 'ffmpeg' ? '@ffmpeg-installer/ffmpeg' : '@ffprobe-installer/ffprobe';
  try {
    const loaded = require(packageName) as { path?: unknown };
    return typeof loaded.path === 'string' ? loaded.path : undefined;
  } catch {
    return undefined;
  }
}

async function ffmpegStaticPath(binary: BinaryName): Promise<string | undefined> {
  if (binary !== 'ffmpeg') return undefined; // ffmpeg-static ships ffmpeg only
  try {
    const specifier = 'ffmpeg-static';
    const loaded = (await import(specifier)) as { default?: unknown };
    return typeof loaded.default === 'string' ? loaded.default : undefined;
  } catch {
    return undefined;
  }
}

function pathLookup(binary: BinaryName): string | undefined {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    if (!directory) continue;
    const candidate = join(directory, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

async function candidates(binary: BinaryName): Promise<Candidate[]> {
  const list: Candidate[] = [];
  const fromEnvironment = process.env[binary === 'ffmpeg' ? 'VIDTOK_FFMPEG' : 'VIDTOK_FFPROBE'];
  if (fromEnvironment) list.push({ path: fromEnvironment, source: 'env' });
  const fromStatic = await ffmpegStaticPath(binary);
  if (fromStatic) list.push({ path: fromStatic, source: 'ffmpeg-static' });
  const fromInstaller = installerPath(binary);
  if (fromInstaller) list.push({ path: fromInstaller, source: '@ffmpeg-installer' });
  const fromPath = pathLookup(binary);
  if (fromPath) list.push({ path: fromPath, source: 'PATH' });
  return list;
}

/** Runs `<path> -version`; resolves to the version string, or undefined when the binary does not work. */
export async function binaryVersion(binary: BinaryName, path: string): Promise<string | undefined> {
  try {
    const result = await runToCompletion(path, ['-hide_banner', '-version'], {
      operation: `${binary} -version`,
      input: path,
      deadlineMs: versionDeadlineMs,
      maxBytes: 64 * 1024,
    });
    if (result.exitCode !== 0) return undefined;
    const match = new RegExp(`^${binary} version (\\S+)`, 'm').exec(result.stdout);
    return match?.[1];
  } catch {
    return undefined;
  }
}

/** Resolves one binary through the search order (no caching); throws FfmpegNotFoundError listing what was tried. */
export async function findBinary(binary: BinaryName): Promise<BinaryInfo> {
  const tried: string[] = [];
  for (const candidate of await candidates(binary)) {
    const version = await binaryVersion(binary, candidate.path);
    if (version !== undefined) return { path: candidate.path, version, source: candidate.source };
    tried.push(`${candidate.source}:${candidate.path}`);
  }
  throw new FfmpegNotFoundError(binary, tried);
}

let cached: Promise<ResolvedBinaries> | undefined;

/** The ffmpeg and ffprobe binaries vidtok uses (resolved once per process; see `vidtok doctor`). */
export function resolveBinaries(): Promise<ResolvedBinaries> {
  if (!cached) {
    const attempt = Promise.all([findBinary('ffmpeg'), findBinary('ffprobe')]).then(([ffmpeg, ffprobe]) => ({ ffmpeg, ffprobe }));
    cached = attempt;
    attempt.catch(() => {
      if (cached === attempt) cached = undefined;
    });
  }
  return cached;
}

/** Forgets the resolved binaries (after changing VIDTOK_FFMPEG / VIDTOK_FFPROBE). */
export function resetBinaryCache(): void {
  cached = undefined;
}

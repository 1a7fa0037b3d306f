/**
 * @file Finds working ffmpeg and ffprobe binaries and chooses among them. Candidates: `VIDTOK_FFMPEG` /
 * `VIDTOK_FFPROBE`, the optional `ffmpeg-static` package (usually absent offline, imported dynamically),
 * `@ffmpeg-installer/ffmpeg` + `@ffprobe-installer/ffprobe`, then `ffmpeg` / `ffprobe` on PATH. Each must answer
 * `-version`; a half-installed binary (missing shared library, no execute bit) is skipped.
 *
 * Choice: an environment variable always wins. Otherwise the **newest** working ffmpeg (by its libavcodec version,
 * which orders releases and git snapshots alike): the npm build is ffmpeg 4.1 from 2018, while a system ffmpeg 6.x
 * or 7.x decodes more codecs and has years of demuxer fixes. ffprobe: the one built with the same libraries as the
 * chosen ffmpeg (same libavcodec and libavformat), because the npm @ffprobe-installer 5.2.0 build is a different
 * snapshot that segfaults on MPEG-TS and http input; when no ffprobe matches, the newest working one, and probing
 * falls back to `ffmpeg -i` whenever ffprobe crashes. Decoding uses the newest ffmpeg that lists the input's codec
 * among its decoders (`ffmpegForCodec`), in case the newest build lacks one. `vidtok doctor` shows every candidate
 * and the choice.
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
  /** libavcodec version `major.minor.micro` (orders builds; equal values mean the same libraries). */
  readonly libavcodec?: string;
  /** libavformat version `major.minor.micro`. */
  readonly libavformat?: string;
}

export interface ResolvedBinaries {
  readonly ffmpeg: BinaryInfo;
  readonly ffprobe: BinaryInfo;
  /** Whether ffprobe was built with the same libraries as ffmpeg (otherwise probing may fall back to ffmpeg). */
  readonly ffprobeMatchesFfmpeg: boolean;
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

interface VersionReport {
  readonly version: string;
  readonly libavcodec?: string;
  readonly libavformat?: string;
}

function libraryVersion(text: string, library: string): string | undefined {
  const match = new RegExp(`^\\s*${library}\\s+(\\d+)\\.\\s*(\\d+)\\.\\s*(\\d+)`, 'm').exec(text);
  return match ? `${match[1]}.${match[2]}.${match[3]}` : undefined;
}

async function versionReport(binary: BinaryName, path: string): Promise<VersionReport | undefined> {
  try {
    const result = await runToCompletion(path, ['-hide_banner', '-version'], {
      operation: `${binary} -version`,
      input: path,
      deadlineMs: versionDeadlineMs,
      maxBytes: 64 * 1024,
    });
    if (result.exitCode !== 0) return undefined;
    const match = new RegExp(`^${binary} version (\\S+)`, 'm').exec(result.stdout);
    if (!match) return undefined;
    const libavcodec = libraryVersion(result.stdout, 'libavcodec');
    const libavformat = libraryVersion(result.stdout, 'libavformat');
    return { version: match[1]!, ...(libavcodec ? { libavcodec } : {}), ...(libavformat ? { libavformat } : {}) };
  } catch {
    return undefined;
  }
}

/** Runs `<path> -version`; resolves to the version string, or undefined when the binary does not work. */
export async function binaryVersion(binary: BinaryName, path: string): Promise<string | undefined> {
  return (await versionReport(binary, path))?.version;
}

/** A candidate and whether it works (then with its versions). */
export interface CandidateReport {
  readonly path: string;
  readonly source: BinarySource;
  readonly working: boolean;
  readonly info?: BinaryInfo;
}

/** Every candidate for `binary` in search order, each run with `-version`. */
export async function listCandidates(binary: BinaryName): Promise<CandidateReport[]> {
  const reports: CandidateReport[] = [];
  for (const candidate of await candidates(binary)) {
    const report = await versionReport(binary, candidate.path);
    reports.push(
      report
        ? { ...candidate, working: true, info: { path: candidate.path, source: candidate.source, ...report } }
        : { ...candidate, working: false },
    );
  }
  return reports;
}

/** Compares `a.b.c` version strings numerically (missing sorts lowest). */
export function compareLibraryVersions(left: string | undefined, right: string | undefined): number {
  if (left === right) return 0;
  if (left === undefined) return -1;
  if (right === undefined) return 1;
  const a = left.split('.').map(Number);
  const b = right.split('.').map(Number);
  for (let index = 0; index < Math.max(a.length, b.length); index += 1) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * The choice among working candidates (pure, for tests): the env one if any; else the newest ffmpeg by libavcodec
 * (the earlier in search order on a tie); ffprobe: env, else one with the same libavcodec+libavformat as the chosen
 * ffmpeg (the same directory first), else the newest.
 */
export function chooseBinaries(
  ffmpegCandidates: readonly BinaryInfo[],
  ffprobeCandidates: readonly BinaryInfo[],
): ResolvedBinaries | undefined {
  const newest = (list: readonly BinaryInfo[]): BinaryInfo | undefined =>
    list.reduce<BinaryInfo | undefined>(
      (best, entry) =>
        best === undefined || compareLibraryVersions(entry.libavcodec, best.libavcodec) > 0 ? entry : best,
      undefined,
    );
  const ffmpeg = ffmpegCandidates.find((entry) => entry.source === 'env') ?? newest(ffmpegCandidates);
  if (!ffmpeg) return undefined;
  const sameLibraries = (entry: BinaryInfo): boolean =>
    entry.libavcodec !== undefined &&
    entry.libavcodec === ffmpeg.libavcodec &&
    entry.libavformat === ffmpeg.libavformat;
  const directory = (path: string): string => path.slice(0, Math.max(0, path.lastIndexOf('/')));
  const matching = ffprobeCandidates.filter(sameLibraries);
  const ffprobe =
    ffprobeCandidates.find((entry) => entry.source === 'env') ??
    matching.find((entry) => directory(entry.path) === directory(ffmpeg.path)) ??
    matching[0] ??
    newest(ffprobeCandidates);
  if (!ffprobe) return undefined;
  return { ffmpeg, ffprobe, ffprobeMatchesFfmpeg: sameLibraries(ffprobe) };
}

/** The first working candidate in search order; throws FfmpegNotFoundError listing what was tried. */
export async function findBinary(binary: BinaryName): Promise<BinaryInfo> {
  const reports = await listCandidates(binary);
  const working = reports.find((report) => report.working);
  if (working?.info) return working.info;
  throw new FfmpegNotFoundError(
    binary,
    reports.map((report) => `${report.source}:${report.path}`),
  );
}

async function resolveNow(): Promise<ResolvedBinaries> {
  const [ffmpegReports, ffprobeReports] = await Promise.all([listCandidates('ffmpeg'), listCandidates('ffprobe')]);
  const working = (reports: CandidateReport[]): BinaryInfo[] =>
    reports.flatMap((report) => (report.info ? [report.info] : []));
  const ffmpegList = working(ffmpegReports);
  const ffprobeList = working(ffprobeReports);
  workingFfmpegs = ffmpegList;
  if (ffmpegList.length === 0)
    throw new FfmpegNotFoundError(
      'ffmpeg',
      ffmpegReports.map((report) => `${report.source}:${report.path}`),
    );
  if (ffprobeList.length === 0)
    throw new FfmpegNotFoundError(
      'ffprobe',
      ffprobeReports.map((report) => `${report.source}:${report.path}`),
    );
  return chooseBinaries(ffmpegList, ffprobeList)!;
}

/** The working ffmpeg candidates found by the last resolveBinaries() (for ffmpegForCodec). */
let workingFfmpegs: readonly BinaryInfo[] = [];

/** The codec names an ffmpeg can decode (`-codecs`, the `D` flag), cached per path. */
const decodableCodecs = new Map<string, Promise<ReadonlySet<string>>>();

/** The codec names `info` decodes, from its `-codecs` table. */
export function decodable(info: BinaryInfo): Promise<ReadonlySet<string>> {
  let known = decodableCodecs.get(info.path);
  if (!known) {
    known = runToCompletion(info.path, ['-hide_banner', '-codecs'], {
      operation: 'ffmpeg -codecs',
      input: info.path,
      deadlineMs: versionDeadlineMs,
      maxBytes: 1024 * 1024,
    })
      .then((result) => {
        const names = new Set<string>();
        for (const line of result.stdout.split('\n')) {
          const match = /^\s(D)[.E][VASDT][.I][.L][.S]\s+(\S+)/.exec(line);
          if (match) names.add(match[2]!);
        }
        return names;
      })
      .catch(() => new Set<string>());
    decodableCodecs.set(info.path, known);
  }
  return known;
}

/**
 * The newest working ffmpeg (by libavcodec) whose `-codecs` list decodes `codec` (ffprobe's codec name, e.g.
 * `hevc`, `av1`); the chosen default when none does or when VIDTOK_FFMPEG pins one.
 */
export async function ffmpegForCodec(codec: string, candidatesByAge?: readonly BinaryInfo[]): Promise<BinaryInfo> {
  const resolved = await resolveBinaries();
  if (resolved.ffmpeg.source === 'env') return resolved.ffmpeg;
  const list = candidatesByAge ?? workingFfmpegs;
  if (list.length <= 1) return resolved.ffmpeg; // nothing to choose from: no extra process
  const newestFirst = [...list].sort((left, right) => compareLibraryVersions(right.libavcodec, left.libavcodec));
  for (const candidate of newestFirst) if ((await decodable(candidate)).has(codec)) return candidate;
  return resolved.ffmpeg;
}

let cached: Promise<ResolvedBinaries> | undefined;

/** The ffmpeg and ffprobe binaries vidtok uses (resolved once per process; see `vidtok doctor`). */
export function resolveBinaries(): Promise<ResolvedBinaries> {
  if (!cached) {
    const attempt = resolveNow();
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
  workingFfmpegs = [];
  decodableCodecs.clear();
}

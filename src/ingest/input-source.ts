/**
 * @file Classifies and validates what the user asked to read. Only plain files, `-` (stdin) and the schemes
 * rtsp, http(s) (HLS) and udp are accepted. Each kind gets an explicit ffmpeg `-protocol_whitelist`; files are
 * passed as `file:` + absolute path so a leading `-` or a `scheme:` in a name is never interpreted.
 *
 * Network inputs are checked against the network policy (src/net) before ffmpeg runs: the host is resolved and every
 * address must be allowed. HTTP(S) inputs also start the forwarding proxy that checks every later request ffmpeg
 * makes (variants, segments, keys, redirects); RTSP inputs are pinned to the checked address. `udp://` inputs are
 * receive sockets (ffmpeg binds and listens, it sends nothing), so their address is not checked.
 */
import { constants, promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { InputNotFoundError, InputRejectedError, UnsupportedSourceError } from '../errors/index.js';
import { startForwardingProxy } from '../net/forwarding-proxy.js';
import { resolveAllowedAddress } from '../net/resolve-host.js';

export type InputKind = 'file' | 'stdin' | 'http' | 'rtsp' | 'udp';

export interface InputSource {
  /** What the user gave, for messages. */
  readonly input: string;
  readonly kind: InputKind;
  /** The URL handed to ffmpeg/ffprobe after `-i`. */
  readonly ffmpegInput: string;
  /** The value of `-protocol_whitelist`. */
  readonly protocolWhitelist: string;
  /** Live sources have no known end and are read through the drop-oldest buffer. */
  readonly isLive: boolean;
  /** Absolute path for files. */
  readonly path?: string;
}

const schemeWhitelists: Readonly<Record<string, { kind: InputKind; whitelist: string }>> = {
  // httpproxy: HTTPS goes through the forwarding proxy as a CONNECT tunnel.
  http: { kind: 'http', whitelist: 'http,https,tcp,tls,crypto,httpproxy' },
  https: { kind: 'http', whitelist: 'http,https,tcp,tls,crypto,httpproxy' },
  rtsp: { kind: 'rtsp', whitelist: 'rtsp,rtp,udp,tcp' },
  udp: { kind: 'udp', whitelist: 'udp' },
};

const schemePattern = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/** Whether `input` names a live source (stdin or an allowed network scheme); no I/O. */
export function isLiveInput(input: string): boolean {
  if (input === '-') return true;
  const scheme = schemePattern.exec(input)?.[1]?.toLowerCase();
  return scheme !== undefined && scheme in schemeWhitelists;
}

/**
 * Validates `input` and says how to hand it to ffmpeg. Throws InputNotFoundError (missing, directory, unreadable),
 * InputRejectedError (empty or not a regular file) or UnsupportedSourceError (a scheme outside the allowed list).
 */
export async function classifyInput(input: string): Promise<InputSource> {
  if (input === '') throw new InputNotFoundError('(empty)', 'no input given');
  if (input === '-') return { input, kind: 'stdin', ffmpegInput: 'pipe:0', protocolWhitelist: 'pipe', isLive: true };
  const scheme = schemePattern.exec(input)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme in schemeWhitelists) {
    const entry = schemeWhitelists[scheme]!;
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      throw new UnsupportedSourceError(input, 'is not a valid URL');
    }
    if (!url.hostname) throw new UnsupportedSourceError(input, 'URL has no host');
    let ffmpegInput = input;
    if (entry.kind === 'http') {
      await resolveAllowedAddress(input, url.hostname);
      await startForwardingProxy();
    } else if (entry.kind === 'rtsp') {
      const { address, family } = await resolveAllowedAddress(input, url.hostname);
      if (address !== url.hostname.replace(/^\[|\]$/g, '')) {
        url.hostname = family === 6 ? `[${address}]` : address;
        ffmpegInput = url.href;
      }
    }
    return { input, kind: entry.kind, ffmpegInput, protocolWhitelist: entry.whitelist, isLive: true };
  }
  const path = resolve(input);
  let stats: import('node:fs').Stats;
  try {
    stats = await fs.stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A name that looks like a URL with a scheme we do not accept (file://, concat:, data:, ftp://, ...).
    if (scheme !== undefined && scheme.length > 1) {
      throw new UnsupportedSourceError(
        input,
        `URL scheme '${scheme}:' is not allowed (allowed: files, -, rtsp, http, https, udp)`,
      );
    }
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new InputNotFoundError(input, 'no such file');
    if (code === 'EACCES') throw new InputNotFoundError(input, 'permission denied');
    throw new InputNotFoundError(input, `cannot be read (${code ?? 'unknown error'})`, { cause: error });
  }
  if (stats.isDirectory()) throw new InputNotFoundError(input, 'is a directory, not a video file');
  if (!stats.isFile()) throw new InputRejectedError(input, 'is not a regular file');
  try {
    await fs.access(path, constants.R_OK);
  } catch {
    throw new InputNotFoundError(input, 'permission denied');
  }
  if (stats.size === 0) throw new InputRejectedError(input, 'is empty (0 bytes)');
  return { input, kind: 'file', ffmpegInput: `file:${path}`, protocolWhitelist: 'file', isLive: false, path };
}

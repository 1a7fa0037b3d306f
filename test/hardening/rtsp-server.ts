/**
 * @file Test helpers for a real RTSP server: GStreamer's gst-rtsp-server (test/hardening/rtsp/rtsp-server.js run by
 * gjs; Debian packages installed by scripts/ensure-test-deps.mjs) on a free loopback port, serving an ffmpeg-made
 * clip at playback speed. The server can be killed and restarted on the same port (a camera rebooting) and frozen
 * with SIGSTOP (a stalled camera: the connection stays open, nothing arrives). `startPublisher` is the other feed:
 * ffmpeg publishing MPEG-TS over UDP into the server (its RTP timestamps come out irregular through tsdemux, so the
 * narration tests use the file feed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { resolveBinaries } from '../../src/ingest/binaries.js';
import { repoRoot } from '../helpers/paths.js';

export interface RtspServerOptions {
  readonly protocols: 'tcp' | 'udp' | 'both';
  /** Serve this MP4 (H.264) file; without it the server reads MPEG-TS from `udpPort` (see startPublisher). */
  readonly clip?: string;
  readonly user?: string;
  readonly password?: string;
}

export interface RtspServer {
  /** `rtsp://127.0.0.1:<port>/live` (without credentials). */
  readonly url: string;
  /** RTSP connections seen since the first start. */
  readonly connections: () => number;
  /** SIGSTOP / SIGCONT: a frozen server keeps its connections open and sends nothing. */
  freeze(): void;
  thaw(): void;
  /** SIGKILL, like a crash or power loss. */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface Publisher {
  /** SIGSTOP: no more packets until resume(). */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => child.once('exit', () => resolvePromise()));
}

/** Starts the RTSP server; `udpPort` is where the publisher sends MPEG-TS. */
export async function startRtspServer(options: RtspServerOptions): Promise<RtspServer & { readonly udpPort: number }> {
  const port = await freePort();
  const udpPort = await freePort();
  let child: ChildProcess | undefined;
  let connections = 0;
  const launch = async (): Promise<void> => {
    const started = spawn(
      'gjs',
      [
        join(repoRoot, 'test', 'hardening', 'rtsp', 'rtsp-server.js'),
        String(port),
        '/live',
        options.clip ? `file=${options.clip}` : String(udpPort),
        options.protocols,
        ...(options.user ? [options.user, options.password ?? ''] : []),
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    running.add(started);
    started.once('exit', () => running.delete(started));
    child = started;
    let output = '';
    await new Promise<void>((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`RTSP server not ready: ${output}`)), 20_000);
      started.stdout!.on('data', (data: Buffer) => {
        const text = data.toString();
        output += text;
        connections += (text.match(/^client-connected$/gm) ?? []).length;
        if (output.includes('ready')) {
          clearTimeout(timer);
          resolvePromise();
        }
      });
      started.stderr!.on('data', (data: Buffer) => (output += data.toString()));
      started.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`RTSP server exited with ${code}: ${output}`));
      });
    });
  };
  await launch();
  return {
    url: `rtsp://127.0.0.1:${port}/live`,
    udpPort,
    connections: () => connections,
    freeze: () => child?.kill('SIGSTOP'),
    thaw: () => child?.kill('SIGCONT'),
    kill: async () => {
      if (!child) return;
      child.kill('SIGKILL');
      await exited(child);
    },
    start: launch,
    stop: async () => {
      if (!child) return;
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 3000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}

/** ffmpeg publishing `clip` looped at real speed as MPEG-TS to udp://127.0.0.1:`udpPort` (keyframe every 10 frames). */
export async function startPublisher(clip: string, udpPort: number): Promise<Publisher> {
  const { ffmpeg } = await resolveBinaries();
  const child = spawn(
    ffmpeg.path,
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-re',
      '-stream_loop',
      '-1',
      '-i',
      `file:${clip}`,
      '-an',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-threads',
      '1',
      '-g',
      '10',
      '-pix_fmt',
      'yuv420p',
      '-f',
      'mpegts',
      `udp://127.0.0.1:${udpPort}?pkt_size=1316`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.resume();
  running.add(child);
  child.once('exit', () => running.delete(child));
  return {
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    stop: async () => {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}

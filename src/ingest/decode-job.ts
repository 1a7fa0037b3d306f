/**
 * @file Runs one ffmpeg decode job: builds the exact argv (whitelist, `file:` input, optional keyframe-only decode and
 * input-side seek, `-copyts` so showinfo reports the stream's own pts), reads RGB24 frames from the stdout pipe
 * and pairs each with its `showinfo` line from stderr. Backpressure: `pause()` stops reading stdout, so ffmpeg blocks
 * on the pipe instead of us buffering frames.
 */
import type { Readable } from 'node:stream';
import { startChild, type ManagedChild } from './ffmpeg-adapter.js';
import {
  classifyStderrLine,
  parseInputVideo,
  parseOutputSize,
  parseShowinfo,
  type IngestWarning,
  type InputVideoDescription,
  type ShowinfoLine,
} from './ffmpeg-log.js';
import type { DecodeJob } from './decode-plan.js';
import type { InputSource } from './input-source.js';

export type { ResizePolicy } from './frame-request.js';
import type { ResizePolicy } from './frame-request.js';

export interface DecodedFrame {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly ptsUnits: number;
  readonly ptsTime: number;
  /** Source frame number counted by ffmpeg before selection (live sources), else the delivered frame number. */
  readonly decodedNumber: number;
}

export interface JobOptions {
  readonly ffmpegPath: string;
  readonly source: InputSource;
  readonly size?: { width: number; height: number };
  readonly resize?: ResizePolicy;
  readonly realtime?: boolean;
  readonly maxPixels: number;
  readonly deadlineMs?: number;
  readonly signal?: AbortSignal;
  /** Count every decoded frame before the select filter (live sources have no timeline to map pts to indices). */
  readonly countSourceFrames?: boolean;
  /** Readable connected to ffmpeg's stdin for `-` inputs. */
  readonly stdin?: Readable;
}

export interface JobCallbacks {
  onFrame(frame: DecodedFrame): void;
  onWarning(warning: IngestWarning): void;
  onInputVideo?(description: InputVideoDescription): void;
}

export interface JobSummary {
  readonly exitCode: number;
  readonly frames: number;
  readonly stderrTail: string;
  readonly sawOutput: boolean;
  /** A protocol ffmpeg refused because it is not on the whitelist (e.g. a playlist pointing at `file:`). */
  readonly blockedProtocol?: string;
}

export interface RunningJob {
  pause(): void;
  resume(): void;
  readonly done: Promise<JobSummary>;
  kill(): Promise<void>;
}

/**
 * Anamorphic video (sample aspect ratio not 1:1) is stretched horizontally to square pixels first, so `fit` and
 * `crop` keep the display aspect ratio (a 720x576 16:9 PAL frame is treated as 1024x576).
 */
const squarePixels = "scale='max(1,round(iw*sar))':ih,setsar=1";

/**
 * The resize part of the filter graph for a policy. Without a size, frames keep their stored pixel size (after
 * rotation; SAR is reported by probe, not applied). `squash` gives exactly WxH (aspect ignored); `fit` and `crop`
 * apply the sample aspect ratio first, then letterbox with black or cover and centre-crop.
 */
export function resizeFilters(
  size: { width: number; height: number } | undefined,
  policy: ResizePolicy = 'squash',
): string[] {
  if (!size) return ['format=rgb24'];
  const { width, height } = size;
  switch (policy) {
    case 'squash':
      return [`scale=${width}:${height}`, 'setsar=1', 'format=rgb24'];
    case 'fit':
      return [
        squarePixels,
        `scale=${width}:${height}:force_original_aspect_ratio=decrease`,
        'format=rgb24',
        `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=black`,
        'setsar=1',
      ];
    case 'crop':
      return [
        squarePixels,
        `scale=${width}:${height}:force_original_aspect_ratio=increase`,
        'format=rgb24',
        `crop=${width}:${height}`,
        'setsar=1',
      ];
  }
}

/** The full ffmpeg argv for a job (exported for tests and the benchmark). */
export function buildDecodeArguments(
  job: DecodeJob,
  options: Omit<JobOptions, 'ffmpegPath' | 'signal' | 'deadlineMs' | 'stdin'>,
): { args: string[]; showinfoInstance: number; countInstance?: number } {
  const filters: string[] = [];
  let countInstance: number | undefined;
  if (options.countSourceFrames && job.select) {
    countInstance = filters.length;
    filters.push('showinfo');
  }
  if (job.select) filters.push(`select='${job.select}'`);
  const showinfoInstance = filters.length;
  filters.push('showinfo', ...resizeFilters(options.size, options.resize));
  const args = ['-hide_banner', '-nostats', '-loglevel', 'info'];
  if (options.source.kind !== 'stdin') args.push('-nostdin');
  args.push('-protocol_whitelist', options.source.protocolWhitelist);
  if (options.realtime) args.push('-re');
  if (job.keyframesOnly) args.push('-skip_frame', 'nokey');
  if (job.seekSeconds !== undefined) args.push('-noaccurate_seek', '-ss', job.seekSeconds.toFixed(6));
  args.push('-max_pixels', String(options.maxPixels));
  args.push('-i', options.source.ffmpegInput);
  args.push('-map', '0:v:0', '-an', '-sn', '-dn', '-vf', filters.join(','), '-copyts', '-vsync', '0');
  if (job.frameLimit !== undefined) args.push('-frames:v', String(job.frameLimit));
  args.push('-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
  return { args, showinfoInstance, ...(countInstance !== undefined ? { countInstance } : {}) };
}

/** Starts one decode job. */
export function startDecodeJob(job: DecodeJob, options: JobOptions, callbacks: JobCallbacks): RunningJob {
  const { args, showinfoInstance, countInstance } = buildDecodeArguments(job, options);
  const child: ManagedChild = startChild(options.ffmpegPath, args, {
    operation: `decode ${options.source.input}`,
    input: options.source.input,
    deadlineMs: options.deadlineMs,
    signal: options.signal,
    stdin: options.source.kind === 'stdin' ? 'pipe' : 'ignore',
  });
  if (options.source.kind === 'stdin' && child.stdin) {
    const input = options.stdin ?? process.stdin;
    input.pipe(child.stdin);
    child.exited.finally(() => input.unpipe(child.stdin!)).catch(() => undefined);
  }

  const infos: ShowinfoLine[] = [];
  const pending: Buffer[] = [];
  const sourceNumbers = new Map<number, number>();
  const tail: string[] = [];
  let frameSize = 0;
  let frameWidth = 0;
  let frameHeight = 0;
  let sawOutputSection = false;
  let sawInputVideo = false;
  let chunks: Buffer[] = [];
  let chunkBytes = 0;
  let delivered = 0;
  let blockedProtocol: string | undefined;

  const deliver = (): void => {
    while (pending.length > 0 && infos.length > 0) {
      const data = pending.shift()!;
      const info = infos.shift()!;
      delivered += 1;
      callbacks.onFrame({
        data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
        width: frameWidth,
        height: frameHeight,
        ptsUnits: info.ptsUnits,
        ptsTime: info.ptsTime,
        decodedNumber: sourceNumbers.get(info.ptsUnits) ?? info.n,
      });
    }
  };
  const sliceFrames = (): void => {
    if (frameSize === 0) return;
    while (chunkBytes >= frameSize) {
      const joined = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, chunkBytes);
      let offset = 0;
      while (joined.length - offset >= frameSize) {
        pending.push(Buffer.from(joined.subarray(offset, offset + frameSize)));
        offset += frameSize;
      }
      chunks = offset < joined.length ? [joined.subarray(offset)] : [];
      chunkBytes = joined.length - offset;
    }
    deliver();
  };

  child.stdout.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    chunkBytes += chunk.length;
    sliceFrames();
  });

  let stderrRest = '';
  const handleLine = (line: string): void => {
    if (line.length === 0) return;
    const info = parseShowinfo(line);
    if (info) {
      if (info.instance === countInstance) {
        sourceNumbers.set(info.ptsUnits, info.n);
        if (sourceNumbers.size > 4096) sourceNumbers.delete(sourceNumbers.keys().next().value as number);
      } else if (info.instance === showinfoInstance) {
        infos.push(info);
        deliver();
      }
      return;
    }
    const blocked = /Protocol '([^']+)' not on whitelist/.exec(line);
    if (blocked) blockedProtocol ??= blocked[1];
    tail.push(line);
    if (tail.length > 40) tail.shift();
    if (line.startsWith('Output #0')) sawOutputSection = true;
    else if (sawOutputSection && frameSize === 0) {
      const size = parseOutputSize(line);
      if (size) {
        frameWidth = size.width;
        frameHeight = size.height;
        frameSize = size.width * size.height * 3;
        sliceFrames();
      }
    } else if (!sawOutputSection && !sawInputVideo && /^\s*Stream #0:\d+.*: Video:/.test(line)) {
      const description = parseInputVideo(line);
      if (description) {
        sawInputVideo = true;
        callbacks.onInputVideo?.(description);
      }
    }
    const warning = classifyStderrLine(options.source.input, line);
    if (warning) callbacks.onWarning(warning);
  };
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    const lines = (stderrRest + text).split(/\r?\n|\r/);
    stderrRest = lines.pop() ?? '';
    for (const line of lines) handleLine(line);
  });

  const done = child.exited.then((exitCode) => {
    if (stderrRest) handleLine(stderrRest);
    deliver();
    if (chunkBytes > 0) {
      callbacks.onWarning({
        input: options.source.input,
        kind: 'truncated',
        message: `ffmpeg ended with ${chunkBytes} bytes of an incomplete frame`,
      });
    }
    return {
      exitCode,
      frames: delivered,
      stderrTail: tail.slice(-8).join('\n'),
      sawOutput: sawOutputSection,
      ...(blockedProtocol ? { blockedProtocol } : {}),
    };
  });

  return {
    pause: () => child.stdout.pause(),
    resume: () => child.stdout.resume(),
    done,
    kill: () => child.kill(),
  };
}

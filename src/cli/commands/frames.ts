/**
 * @file `vidtok frames <input>`: extracts exact frames (real pts and source index) by count and rule, fps, times,
 * keyframes or scene changes, resized by ffmpeg; lists them, writes them atomically with `--out`, tiles them
 * with `--contact-sheet`, and reports the decode plan with `--json`. `-` reads a stream from stdin.
 */
import type { VideoFrame } from '../../core/frame.js';
import { LimitExceededError, PartialResultError, UsageError } from '../../errors/index.js';
import {
  openFrames,
  writeContactSheet,
  writeFrames,
  type FrameRequest,
  type IngestWarning,
} from '../../ingest/index.js';
import { frameIndexRules } from '../../sampling/frame-indices.js';
import { defineCommand } from '../command.js';
import { inputArgument } from '../input-argument.js';
import { liveSourceOptions, outputOptions, samplingOptions, timeWindowOptions } from '../options/index.js';

/** Frames kept for --out / --contact-sheet are held in memory; 4 GiB of RGB is the cap. */
const maxKeptBytes = 4 * 2 ** 30;
/** --json frame entries held in memory before the report starts streaming. */
const jsonHeldEntries = 10_000;
/** Warnings kept for the --json report (the stream may warn on every frame). */
const maxReportedWarnings = 500;

function finiteOption(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new UsageError(`--${name} must be a number, got ${String(value)}`);
  return value;
}

/** Parses `WxH` (e.g. 448x448). */
export function parseSize(text: string): { width: number; height: number } {
  const match = /^(\d{1,5})x(\d{1,5})$/i.exec(text.trim());
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  if (!match || width < 1 || height < 1 || width > 16384 || height > 16384)
    throw new UsageError(`--size must be WxH with 1..16384 pixels per side, got '${text}'`);
  return { width, height };
}

/** Parses `t1,t2,...` seconds (an empty item such as `1,,2` is refused). */
export function parseTimes(text: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  // Negative times exist on some streams' pts timelines (write them as --at=-0.5,1).
  const valid = (part: string): boolean =>
    /^-?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(part) && Number.isFinite(Number(part));
  if (parts.some((part) => !valid(part)))
    throw new UsageError(`--at must be comma-separated seconds without empty items, got '${text}'`);
  return parts.map(Number);
}

export const framesCommand = defineCommand({
  command: 'frames <input>',
  describe: 'Extract exact frames (real pts, source index) by count/rule, fps, times, keyframes or scenes',
  positionals: { input: { type: 'string', describe: 'A video file, - for stdin, or an rtsp/http(s)/udp URL' } },
  options: {
    count: { type: 'number', describe: 'Uniform sampling: this many frames, chosen by index with --rule' },
    rule: {
      type: 'string',
      choices: frameIndexRules,
      default: 'np_linspace_int',
      describe: "Index rule for --count (the papers' code)",
    },
    fps: samplingOptions.fps,
    'min-frames': { type: 'number', describe: 'With --fps: at least this many frames (uniform if fps gives fewer)' },
    'max-frames': { type: 'number', describe: 'With --fps: at most this many frames (uniform if fps gives more)' },
    at: { type: 'string', describe: 'Comma-separated times in seconds: the frame shown at each time' },
    keyframes: { type: 'boolean', default: false, describe: 'Keyframes only (cheap)' },
    scenes: samplingOptions.scenes,
    'scene-threshold': samplingOptions['scene-threshold'],
    start: timeWindowOptions.start,
    end: { ...timeWindowOptions.end, describe: 'End of the time window, seconds (exclusive)' },
    size: { type: 'string', describe: 'Output size WxH (default: display size after rotation)' },
    resize: {
      type: 'string',
      choices: ['squash', 'fit', 'crop'],
      default: 'squash',
      describe: 'squash: exact WxH; fit: letterbox with black; crop: cover then centre-crop',
    },
    out: { ...outputOptions.out, describe: 'Write images and index.json into this new directory (atomic)' },
    format: { ...outputOptions.format, choices: ['png', 'jpg'], default: 'png', describe: 'Image format for --out' },
    'contact-sheet': { type: 'string', describe: 'Write one image tiling the frames (.png or .jpg)' },
    ...liveSourceOptions,
    json: { ...outputOptions.json, describe: 'Print probe, plan, frames and warnings as JSON' },
    'allow-partial': {
      type: 'boolean',
      default: false,
      describe: 'Write --out/--contact-sheet even when some wanted frames could not be decoded (exit code 10 still)',
    },
  },
  examples: [
    [
      '$0 frames clip.mp4 --count 8 --rule pllava_eval --size 448x448 --resize fit --out frames/',
      '8 frames as the PLLaVA eval code picks them',
    ],
    ['$0 frames clip.mp4 --fps 1 --max-frames 64 --json', '1 fps capped at 64 frames; JSON with the decode plan'],
    ['$0 frames clip.mp4 --scenes --contact-sheet scenes.jpg', 'A contact sheet of scene changes'],
    ['cat stream.ts | $0 frames - --fps 2', 'A live stream on stdin'],
  ],
  run: async (args, context) => {
    const count = finiteOption('count', args.count);
    const fps = finiteOption('fps', args.fps);
    const input = inputArgument(args.input);
    const request: FrameRequest = {
      ...(count !== undefined ? { count, rule: args.rule } : {}),
      ...(fps !== undefined ? { fps } : {}),
      minFrames: finiteOption('min-frames', args['min-frames']),
      maxFrames: finiteOption('max-frames', args['max-frames']),
      ...(args.at !== undefined ? { at: parseTimes(args.at) } : {}),
      keyframes: args.keyframes,
      scenes: args.scenes,
      sceneThreshold: finiteOption('scene-threshold', args['scene-threshold']),
      start: finiteOption('start', args.start),
      end: finiteOption('end', args.end),
      ...(args.size !== undefined ? { size: parseSize(args.size) } : {}),
      resize: args.resize,
      realtime: args.realtime,
      bufferFrames: finiteOption('buffer', args.buffer),
      signal: context.signal,
    };
    if ((request.minFrames !== undefined || request.maxFrames !== undefined) && fps === undefined)
      throw new UsageError('--min-frames/--max-frames need --fps');
    if (request.bufferFrames !== undefined && !(Number.isInteger(request.bufferFrames) && request.bufferFrames >= 1))
      throw new UsageError(`--buffer must be a positive integer, got ${request.bufferFrames}`);
    if (input === '-' && process.stdin.isTTY) {
      throw new UsageError(
        'frames -: reads a video stream from stdin, but stdin is a terminal; pipe one in, e.g. cat clip.ts | vidtok frames - --fps 1',
      );
    }
    const keep = args.out !== undefined || args['contact-sheet'] !== undefined;
    const warnings: IngestWarning[] = [];
    let warningsShown = 0;
    request.onWarning = (warning) => {
      if (warnings.length < maxReportedWarnings) warnings.push(warning);
      if (!args.json && warningsShown < 5) {
        warningsShown += 1;
        context.stderr.write(`vidtok: warning: ${warning.input}: ${warning.kind}: ${warning.message}\n`);
      }
    };
    const source = openFrames(input, request);
    const plan = await source.plan();
    if (keep && plan.frames !== undefined) {
      // --out and --contact-sheet hold the frames in memory until the atomic write: refuse absurd totals up front.
      const info = await source.probe();
      const frameBytes = (request.size?.width ?? info.width) * (request.size?.height ?? info.height) * 3;
      const distinct = plan.distinctFrames ?? plan.frames;
      if (distinct * frameBytes > maxKeptBytes) {
        throw new LimitExceededError(
          input,
          'decoded bytes to keep for --out/--contact-sheet',
          distinct * frameBytes,
          maxKeptBytes,
        );
      }
    }
    const kept: VideoFrame[] = [];
    const listed: Array<{ index: number; pts: number; width: number; height: number; file?: string }> = [];
    // A closed stdout (e.g. `| head`) ends the run quietly instead of crashing on EPIPE.
    let stdoutClosed = false;
    const onStdoutError = (): void => {
      stdoutClosed = true;
    };
    context.stdout.on('error', onStdoutError);
    // --json without --out: the first entries are held back so a run that fails early prints no JSON at all; past
    // `jsonHeldEntries` the report streams one frame per line, so it never has to fit in one string.
    const streamJson = args.json && !keep;
    let delivered = 0;
    let jsonStarted = false;
    const held: string[] = [];
    const startJson = (): void => {
      if (jsonStarted) return;
      jsonStarted = true;
      context.stdout.write(
        `{\n"input": ${JSON.stringify(input)},\n"plan": ${JSON.stringify(plan)},\n"frames": [${held.join(',')}`,
      );
      held.length = 0;
    };
    try {
      for await (const frame of source) {
        if (stdoutClosed) break;
        const entry = { index: frame.index, pts: frame.pts, width: frame.width, height: frame.height };
        if (keep) {
          kept.push(frame);
          listed.push(entry);
        } else if (streamJson) {
          const line = `\n  ${JSON.stringify(entry)}`;
          if (jsonStarted) context.stdout.write(`,${line}`);
          else {
            held.push(line);
            if (held.length >= jsonHeldEntries) startJson();
          }
        } else context.stdout.write(`${frame.index}\t${frame.pts.toFixed(6)}\t${frame.width}x${frame.height}\n`);
        delivered += 1;
      }
    } finally {
      await source.close();
    }
    if (stdoutClosed) return;
    const partial = source.missing > 0;
    const wanted = plan.distinctFrames ?? delivered + source.missing;
    // (Nothing decoding at all is an FfmpegError from the source; here the request selected no frame, e.g. no keyframe
    // in the window.) An empty --out folder is never written.
    if (keep && kept.length === 0) throw new UsageError(`${input}: the request selects no frame; nothing written`);
    const writeOutput = !partial || args['allow-partial'];
    const format = args.format === 'jpg' ? 'jpg' : 'png';
    if (args.out !== undefined && writeOutput) {
      await writeFrames(kept, args.out, { format, signal: context.signal });
      listed.forEach((entry, position) => {
        entry.file = `frame-${String(position).padStart(6, '0')}.${format}`;
      });
    }
    if (args['contact-sheet'] !== undefined && kept.length > 0 && writeOutput)
      await writeContactSheet(kept, args['contact-sheet'], { signal: context.signal });
    if (warnings.length > warningsShown && !args.json)
      context.stderr.write(`vidtok: ${warnings.length} warnings in total\n`);
    const probe = args.json ? await source.probe().catch(() => null) : null;
    const tail = { probe, warnings, dropped: source.dropped, missing: source.missing, partial };
    if (streamJson) {
      startJson();
      context.stdout.write(
        `${delivered === 0 ? '' : '\n'}],\n${Object.entries(tail)
          .map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`)
          .join(',\n')}\n}\n`,
      );
    } else if (args.json) {
      context.stdout.write(`${JSON.stringify({ input, plan, frames: listed, ...tail }, null, 2)}\n`);
    } else if (keep) {
      for (const entry of listed)
        context.stdout.write(
          `${entry.index}\t${entry.pts.toFixed(6)}\t${entry.width}x${entry.height}${entry.file ? `\t${entry.file}` : ''}\n`,
        );
    }
    if (source.dropped > 0)
      context.stderr.write(`vidtok: ${source.dropped} frames dropped (consumer slower than the source)\n`);
    context.stdout.off('error', onStdoutError);
    if (partial) {
      if (keep && !writeOutput)
        context.stderr.write(
          'vidtok: nothing written (--out/--contact-sheet) because the result is partial; add --allow-partial to write the frames that decoded\n',
        );
      throw new PartialResultError(input, source.missing, wanted);
    }
  },
});

/**
 * @file `vidtok tokens <video> --pipeline <name|file>`: runs a pipeline's stage graph over a video and prints the
 * token stream's segments (role, token count, frames, time span), the totals against the budget and the time each
 * stage took. `--json` prints the same machine-readably (no token values); `--dump-tokens file.npy` writes every
 * visual token as one float32 `[N, D]` array in stream order.
 */
import { rename, writeFile } from 'node:fs/promises';
import { dirname, basename, join, resolve } from 'node:path';
import type { VisualSegment } from '../../core/token-stream.js';
import { encodeNpy } from '../../golden/npy.js';
import { runPipeline, type PipelineProgress, type PipelineRunResult } from '../../pipeline/run-pipeline.js';
import { defineCommand, type CommandContext } from '../command.js';
import { outputOptions, pipelineOptions, timeWindowOptions } from '../options/index.js';

/** `m:ss.ss` for a time in seconds. */
export function formatTime(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds - minutes * 60;
  return `${minutes}:${rest.toFixed(2).padStart(5, '0')}`;
}

function visualSegments(result: PipelineRunResult): VisualSegment[] {
  return result.segments.filter((segment): segment is VisualSegment => segment.type === 'visual');
}

function segmentSummary(segment: VisualSegment): Record<string, unknown> {
  return {
    role: segment.role,
    count: segment.count,
    dim: segment.dim,
    timestamps: segment.timestamps,
    frameIndices: segment.frameIndices,
    ...(segment.layout ? { layout: segment.layout } : {}),
    ...(segment.isImage ? { isImage: true } : {}),
  };
}

function table(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          rightAligned.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function textReport(result: PipelineRunResult, dumped: string | undefined): string {
  const segments = visualSegments(result);
  const total = segments.reduce((sum, segment) => sum + segment.count, 0);
  const lines: string[] = [];
  lines.push(`pipeline ${result.metadata.pipeline}, encoder ${result.metadata.encoder} (D=${result.dim})`);
  const span =
    result.frames.length > 0
      ? ` from ${formatTime(result.frames[0]!.pts)} to ${formatTime(result.frames[result.frames.length - 1]!.pts)}`
      : '';
  lines.push(
    `frames: ${result.frames.length} of ${result.probe.frameCount || '?'}${span} (${result.probe.width}x${result.probe.height}, ${result.probe.duration.toFixed(2)} s)`,
  );
  if (result.plan.reducedFrames)
    lines.push(
      `frames reduced from ${result.plan.reducedFrames.from} to ${result.plan.reducedFrames.to} to fit the budget`,
    );
  lines.push('');
  const rows: string[][] = [['#', 'role', 'tokens', 'frames', 'time', 'layout', 'source frames']];
  segments.forEach((segment, at) => {
    const first = segment.timestamps[0];
    const last = segment.timestamps[segment.timestamps.length - 1];
    const time =
      first === undefined ? '-' : first === last ? formatTime(first) : `${formatTime(first)}-${formatTime(last!)}`;
    const layout = segment.layout
      ? `${segment.layout.t}x${segment.layout.h}x${segment.layout.w}`
      : segment.isImage
        ? 'image'
        : '-';
    const indices =
      segment.frameIndices.length <= 6
        ? segment.frameIndices.join(',')
        : `${segment.frameIndices.slice(0, 3).join(',')},...,${segment.frameIndices[segment.frameIndices.length - 1]}`;
    rows.push([
      String(at),
      segment.role + (segment.isImage ? ' (image)' : ''),
      String(segment.count),
      String(segment.frameIndices.length),
      time,
      layout,
      indices,
    ]);
  });
  lines.push(table(rows, new Set([0, 2, 3])));
  lines.push('');
  const bound = result.plan.tokensAreUpperBound ? `, planned at most ${result.plan.tokens}` : '';
  lines.push(`visual tokens: ${total} in ${segments.length} segments (budget ${result.plan.budget}${bound})`);
  const timings = Object.entries(result.metadata.timings ?? {});
  if (timings.length > 0) {
    lines.push('stage times:');
    lines.push(
      table(
        timings.map(([stage, ms]) => ['  ' + stage, `${ms} ms`]),
        new Set([1]),
      ),
    );
  }
  if (result.metadata.approximation) lines.push(`approximation: ${result.metadata.approximation}`);
  for (const [key, value] of Object.entries(result.notes)) {
    if (key.endsWith('.approximation')) continue;
    lines.push(`note ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  if (result.warnings.length > 0)
    lines.push(`decoder warnings: ${result.warnings.length} (first: ${result.warnings[0]})`);
  if (dumped) lines.push(`tokens written to ${dumped} [${total}, ${result.dim}] float32`);
  return `${lines.join('\n')}\n`;
}

/** Writes every visual token as `[N, D]` float32 .npy, atomically (temp file + rename). */
async function dumpTokens(result: PipelineRunResult, path: string): Promise<string> {
  const segments = visualSegments(result);
  const total = segments.reduce((sum, segment) => sum + segment.count, 0);
  const data = new Float32Array(total * result.dim);
  let offset = 0;
  for (const segment of segments) {
    data.set(segment.tokens.subarray(0, segment.count * segment.dim), offset);
    offset += segment.count * segment.dim;
  }
  const target = resolve(path);
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.partial`);
  await writeFile(temporary, encodeNpy({ dtype: 'float32', shape: [total, result.dim], data }));
  await rename(temporary, target);
  return target;
}

function progressWriter(context: CommandContext): ((event: PipelineProgress) => void) | undefined {
  if (!context.interactive) return undefined;
  return (event) => {
    if (event.type === 'frame') context.stderr.write(`\rdecoding frame ${event.count}/${event.expected}`);
    else if (event.type === 'end') context.stderr.write(`\r\x1b[K${event.stage}: ${event.milliseconds} ms\n`);
  };
}

/**
 * A model encoder spec (alias, owner/name or directory) becomes the model's directory; `pixels` specs pass through.
 * The hub is loaded lazily and the runtime only by `resolveEncoder`, so `--encoder pixels` never loads onnxruntime.
 */
async function encoderSpec(spec: string): Promise<string> {
  if (spec === 'pixels' || spec.startsWith('pixels:')) return spec;
  const { resolveModelDirectory } = await import('../../hub/index.js');
  return resolveModelDirectory(spec);
}

export const tokensCommand = defineCommand({
  command: 'tokens <video>',
  describe: 'Run a pipeline on a video and show its visual token stream (segments, counts, stage times)',
  positionals: { video: { type: 'string', demandOption: true, describe: 'Video file (or URL / - for stdin)' } },
  options: {
    pipeline: { ...pipelineOptions.pipeline, demandOption: true },
    encoder: pipelineOptions.encoder,
    question: pipelineOptions.question,
    budget: { ...pipelineOptions.budget, describe: "Total visual-token budget (default: the pipeline's)" },
    ...timeWindowOptions,
    json: { ...outputOptions.json, describe: 'Print JSON (segments, counts, timings; no token values)' },
    'dump-tokens': { type: 'string', describe: 'Write every visual token to this .npy file as float32 [N, D]' },
  },
  examples: [
    ['$0 tokens clip.mp4 --pipeline slowfast-llava', '3680 tokens: 10 slow frames + 50 fast frames (pixels encoder)'],
    ['$0 tokens clip.mp4 -p ig-vlm --encoder pixels:224/16 --json', 'One grid image, machine-readable'],
    [
      '$0 tokens clip.mp4 -p b-vllm -q "what is the dog doing?"',
      'Question-conditioned frame selection (approximation)',
    ],
    [
      '$0 tokens clip.mp4 -p ./my-pipeline.yaml --budget 2000 --dump-tokens tokens.npy',
      'A custom pipeline under a tighter budget',
    ],
  ],
  run: async (args, context) => {
    const onProgress = progressWriter(context);
    const encoder = args.encoder === undefined ? undefined : await encoderSpec(args.encoder);
    const result = await runPipeline(args.video, {
      pipeline: args.pipeline,
      ...(encoder !== undefined ? { encoder } : {}),
      ...(args.question !== undefined ? { question: args.question } : {}),
      ...(args.budget !== undefined ? { budget: args.budget } : {}),
      ...(args.start !== undefined ? { start: args.start } : {}),
      ...(args.end !== undefined ? { end: args.end } : {}),
      signal: context.signal,
      ...(onProgress ? { onProgress } : {}),
    });
    if (onProgress) context.stderr.write('\r\x1b[K');
    const dumped = args['dump-tokens'] !== undefined ? await dumpTokens(result, args['dump-tokens']) : undefined;
    if (args.json) {
      const segments = visualSegments(result);
      context.stdout.write(
        `${JSON.stringify({
          input: args.video,
          pipeline: result.metadata.pipeline,
          encoder: result.metadata.encoder,
          dim: result.dim,
          probe: {
            duration: result.probe.duration,
            frameCount: result.probe.frameCount,
            width: result.probe.width,
            height: result.probe.height,
          },
          plan: result.plan,
          frames: result.frames,
          totalTokens: segments.reduce((sum, segment) => sum + segment.count, 0),
          segments: segments.map(segmentSummary),
          timings: result.metadata.timings ?? {},
          params: result.metadata.params,
          ...(result.metadata.approximation ? { approximation: result.metadata.approximation } : {}),
          notes: result.notes,
          warnings: result.warnings,
          ...(result.prompt ? { prompt: result.prompt } : {}),
          ...(dumped ? { dumpedTokens: dumped } : {}),
        })}\n`,
      );
    } else {
      context.stdout.write(textReport(result, dumped));
    }
    return 0;
  },
});

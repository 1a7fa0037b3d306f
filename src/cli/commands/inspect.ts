/**
 * @file `vidtok inspect <video> --out report.html`: runs several pipelines over a video and writes one self-contained
 * HTML report of what each keeps (timeline, SceneTilling curves, tokens per segment against the budget, the images it
 * built, pictures of the tokens the model is given, parameters and timings). `--png dir` also writes the figures as
 * PNG files. Both outputs are written atomically (temporary file or folder, then rename).
 */
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ExitCode, UsageError } from '../../errors/index.js';
import { inspectVideo, type InspectFigure, type InspectProgress } from '../../inspect/inspect-video.js';
import { writeFileAtomic } from '../../output/atomic-write.js';
import { defineCommand, type CommandContext } from '../command.js';
import { outputOptions, pipelineOptions } from '../options/index.js';

/** Splits `a,b,c` into names (empty entries dropped); throws UsageError when nothing is left. */
export function parsePipelineList(value: string): string[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  if (names.length === 0) throw new UsageError(`--pipelines '${value}': name at least one pipeline`);
  return names;
}

/** Writes the figures into `directory` atomically: a temporary sibling folder, then renames. */
export async function writeFiguresAtomic(
  directory: string,
  figures: readonly InspectFigure[],
  signal?: AbortSignal,
): Promise<string[]> {
  const target = resolve(directory);
  await mkdir(dirname(target), { recursive: true });
  const temporary = await mkdtemp(join(dirname(target), `.${basename(target)}.${process.pid}.`));
  try {
    for (const figure of figures) {
      if (signal?.aborted) throw signal.reason;
      await writeFileAtomic(join(temporary, figure.name), figure.png);
    }
    const existing = await stat(target).catch(() => undefined);
    if (existing === undefined) {
      await rename(temporary, target);
    } else {
      if (!existing.isDirectory()) throw new UsageError(`--png ${directory}: exists and is not a directory`);
      for (const figure of figures) await rename(join(temporary, figure.name), join(target, figure.name));
    }
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
  return figures.map((figure) => join(target, figure.name));
}

function progressWriter(context: CommandContext): ((event: InspectProgress) => void) | undefined {
  if (!context.interactive) return undefined;
  return (event) => {
    if (event.type === 'pipeline-start') context.stderr.write(`\r\x1b[K[${event.at}/${event.of}] ${event.pipeline}...`);
    else if (event.type === 'pipeline-end')
      context.stderr.write(
        `\r\x1b[K${event.pipeline}: ${event.error !== undefined ? `failed (${event.error})` : `${event.milliseconds} ms`}\n`,
      );
    else context.stderr.write('rendering the report...\n');
  };
}

export const inspectCommand = defineCommand({
  command: 'inspect <video>',
  describe:
    'Write a self-contained HTML report of what each pipeline keeps (timeline, scenes, budgets, token pictures)',
  positionals: { video: { type: 'string', demandOption: true, describe: 'Video file' } },
  options: {
    out: { ...outputOptions.out, demandOption: true, describe: 'HTML report to write' },
    // No -p: that is --pipeline (one pipeline) in every other command.
    pipelines: {
      type: 'string',
      describe: 'Comma-separated pipelines (names or files); default every built-in pipeline',
    },
    encoder: {
      ...pipelineOptions.encoder,
      describe: 'pixels (default), pixels:<size>/<patch>, or a model directory (heat maps)',
    },
    question: pipelineOptions.question,
    png: { type: 'string', describe: 'Also write the figures as PNG files into this folder' },
    quality: { type: 'number', default: 5, describe: 'JPEG quality of embedded pictures, 2 (best) to 31' },
    json: { ...outputOptions.json, describe: 'Print a JSON summary instead of the text summary' },
  },
  examples: [
    ['$0 inspect clip.mp4 --out report.html', 'Every built-in pipeline with the pixels encoder'],
    [
      '$0 inspect clip.mp4 --pipelines uniform,slowfast-llava,ts-llava -o report.html --png figures',
      'Three pipelines, plus PNG figures',
    ],
    [
      '$0 inspect clip.mp4 --pipelines b-vllm -q "what is the dog doing?" -e ./models/smolvlm2 -o report.html',
      'Heat maps and question scores from a model encoder',
    ],
  ],
  run: async (args, context) => {
    if (!Number.isFinite(args.quality) || args.quality < 2 || args.quality > 31)
      throw new UsageError(`--quality ${args.quality}: must be from 2 to 31`);
    if (args.out.trim() === '') throw new UsageError('--out: name the HTML file to write');
    if (args.video === '-' || /^(rtsp|rtsps|rtmp|udp|srt|tcp):/i.test(args.video)) {
      throw new UsageError(
        `${args.video}: inspect reads the input once per pipeline, so it needs a file or an http(s) URL, not a live stream`,
      );
    }
    const pipelines = args.pipelines !== undefined ? parsePipelineList(args.pipelines) : undefined;
    const encoder = args.encoder ?? 'pixels';
    const onProgress = progressWriter(context);
    const result = await inspectVideo(args.video, {
      encoder,
      ...(pipelines !== undefined ? { pipelines } : {}),
      ...(args.question !== undefined ? { question: args.question } : {}),
      figures: args.png !== undefined,
      jpegQuality: args.quality,
      signal: context.signal,
      ...(onProgress ? { onProgress } : {}),
    });
    const target = resolve(args.out);
    await mkdir(dirname(target), { recursive: true });
    await writeFileAtomic(target, result.html, { signal: context.signal });
    const bytes = Buffer.byteLength(result.html);
    const written = args.png !== undefined ? await writeFiguresAtomic(args.png, result.figures, context.signal) : [];
    if (args.json) {
      context.stdout.write(
        `${JSON.stringify({ report: target, bytes, figures: written, summary: { ...result.summary, pipelines: result.summary.pipelines.map(({ params: _params, notes: _notes, ...rest }) => rest) } })}\n`,
      );
    } else {
      const lines = [`report written to ${target} (${(bytes / 1024).toFixed(0)} KiB)`];
      for (const pipeline of result.summary.pipelines) {
        lines.push(
          pipeline.error !== undefined
            ? `  ${pipeline.name}: failed: ${pipeline.error}`
            : `  ${pipeline.name}: ${pipeline.totalTokens} tokens of ${pipeline.budget} from ${pipeline.frames.length} frames (${pipeline.timings.total} ms)`,
        );
      }
      if (written.length > 0) lines.push(`${written.length} PNG figures written to ${resolve(args.png!)}`);
      context.stdout.write(`${lines.join('\n')}\n`);
    }
    return result.summary.pipelines.some((pipeline) => pipeline.error !== undefined)
      ? ExitCode.partialFailure
      : ExitCode.ok;
  },
});

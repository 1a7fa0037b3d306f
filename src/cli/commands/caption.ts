/**
 * @file `vidtok caption <inputs...|dir|@list.txt> --out <dir>`: dense captioning of many videos. Each video is cut
 * into `--chunk/--overlap` spans or `--scenes`, every chunk captioned with its start and end time, and written as
 * jsonl/json/srt/vtt. Locally (bounded `--concurrency`, one model for the batch) or through a BullMQ queue
 * (`--queue redis://...`, waits for the summary; `--detach` only enqueues; `vidtok worker` processes). Resumable:
 * videos whose outputs are complete for the same content, pipeline, model and parameters are skipped. One bad video
 * never stops the batch; the summary lists done, skipped and failed (with reasons), exit 10 when anything failed.
 */
import { UsageError } from '../../errors/index.js';
import { formatBatchSummary, type BatchSummary } from '../../jobs/batch-summary.js';
import type { ChunkingSpec } from '../../jobs/caption-processor.js';
import { parseDurationOption } from '../../jobs/duration-option.js';
import { parseCaptionFormats } from '../../output/caption-format.js';
import { defaultCaptionTokens, defaultVideoPipeline } from '../../uses/use-defaults.js';
import { defineCommand } from '../command.js';
import {
  type CommandArguments,
  defineOptions,
  definePositionals,
  generationFromArguments,
  generationOptions,
  jobOptions,
  modelOptions,
  outputOptions,
  pipelineOptions,
  promptOptions,
  samplingOptions,
} from '../options/index.js';
import { createProgressRenderer } from '../progress/index.js';

const captionPositionals = definePositionals({
  inputs: {
    type: 'string',
    array: true,
    demandOption: true,
    describe: 'Video files, directories, or @list.txt (one path per line)',
  },
});

const captionOptions = defineOptions({
  out: {
    ...outputOptions.out,
    demandOption: true,
    describe: 'Output directory (shared by every worker in queue mode)',
  },
  chunk: { type: 'string', default: '10s', describe: 'Chunk length (10s, 1m, 1500ms...)' },
  overlap: { type: 'string', default: '2s', describe: 'Overlap between consecutive chunks' },
  scenes: {
    ...samplingOptions.scenes,
    describe: 'One chunk per scene (SceneTilling on cheap frame descriptors) instead of fixed chunks',
  },
  format: { ...outputOptions.format, default: 'jsonl,json,srt,vtt', describe: 'Output formats, comma-separated' },
  pipeline: {
    ...pipelineOptions.pipeline,
    default: defaultVideoPipeline,
    describe: 'Pipeline run on each chunk (built-in name or file)',
  },
  model: modelOptions.model,
  dtype: modelOptions.dtype,
  device: {
    ...modelOptions.device,
    describe:
      'Where the model runs in local mode: cpu (default), cuda, or auto (CUDA when it opens, else the CPU with a notice)',
  },
  'quantized-compute': modelOptions['quantized-compute'],
  prompt: { ...promptOptions.prompt, describe: 'Caption instruction (default "Describe what happens in this clip.")' },
  budget: { ...pipelineOptions.budget, describe: "Visual-token budget per chunk (default the pipeline's)" },
  concurrency: { ...jobOptions.concurrency, describe: 'Videos processed at the same time (local mode)' },
  recursive: jobOptions.recursive,
  queue: {
    ...jobOptions.queue,
    describe: 'redis://host:port: enqueue into BullMQ for `vidtok worker`s and wait for the summary',
  },
  'queue-name': jobOptions['queue-name'],
  detach: { type: 'boolean', default: false, describe: 'With --queue: only enqueue, do not wait' },
  json: { ...outputOptions.json, describe: 'Print the summary as JSON' },
  ...generationOptions(defaultCaptionTokens, 'caption'),
});

type CaptionArguments = CommandArguments<typeof captionPositionals, typeof captionOptions>;

function chunkingFrom(args: CaptionArguments): ChunkingSpec {
  if (args.scenes) return { mode: 'scenes' };
  return {
    mode: 'fixed',
    chunkSeconds: parseDurationOption(args.chunk, '--chunk'),
    overlapSeconds: parseDurationOption(args.overlap, '--overlap'),
  };
}

export const captionCommand = defineCommand({
  command: 'caption <inputs..>',
  describe: 'Dense captions for many videos (chunks or scenes) as jsonl/json/srt/vtt, locally or through a queue',
  positionals: captionPositionals,
  options: captionOptions,
  examples: [
    ['$0 caption videos/ --out captions/', '10 s chunks with 2 s overlap, every format, default model'],
    ['$0 caption a.mp4 b.mp4 --out caps --scenes --format srt,vtt', 'One caption per scene, subtitles only'],
    [
      '$0 caption @list.txt --out /shared/caps --queue redis://redis:6379',
      'Distributed: run `vidtok worker` elsewhere',
    ],
    ['$0 caption videos/ --out caps -m ./my-model -p pllava --concurrency 2', 'Another model and pipeline'],
  ],
  run: async (args, context) => {
    const formats = parseCaptionFormats(args.format);
    // Loaded on use, so `vidtok --help` and the other commands never load the model runtime or BullMQ.
    const { captionKeyParameters, captionSettings, createReloadingCaptionProcessor, modelIdentity, openVideoModel } =
      await import('../../uses/index.js');
    const { resolveModelDirectory } = await import('../../hub/index.js');
    const chunking = chunkingFrom(args);
    const generation = generationFromArguments(args);
    const { maxNewTokens, ...sampling } = generation;
    if (args.detach && args.queue === undefined) throw new UsageError('--detach needs --queue redis://host:port');
    for (const flag of ['device', 'quantized-compute'] as const) {
      if (args[flag] !== undefined && args.queue !== undefined)
        throw new UsageError(
          `--${flag} with --queue: the workers open the model; give --${flag} to \`vidtok worker\`s instead`,
        );
    }
    const settings = await captionSettings({
      pipeline: args.pipeline,
      ...(args.prompt !== undefined ? { prompt: args.prompt } : {}),
      ...(maxNewTokens !== undefined ? { maxNewTokens } : {}),
      sampling,
      ...(args.budget !== undefined ? { budget: args.budget } : {}),
      signal: context.signal,
    });
    const progress = createProgressRenderer({ stream: context.stderr, interactive: context.interactive });
    const common = {
      outDir: args.out,
      formats,
      chunking,
      recursive: args.recursive,
      signal: context.signal,
      onEvent: progress.onEvent,
    };
    let summary: BatchSummary;
    if (args.queue !== undefined) {
      // The producer needs no model, only its identity (an alias names itself; a directory is hashed).
      const identity = await modelIdentity(args.model, undefined, args.dtype);
      const { submitBatch } = await import('../../jobs/bullmq/producer.js');
      try {
        summary = await submitBatch(args.inputs, {
          ...common,
          keyParameters: captionKeyParameters(settings, identity),
          queueUrl: args.queue,
          detach: args.detach,
          ...(args['queue-name'] !== undefined ? { queueName: args['queue-name'] } : {}),
        });
      } finally {
        progress.finish();
      }
    } else {
      // Resolve now so a missing model fails once (exit 8) instead of once per video; it is loaded when a video needs it
      // (and reloaded if its process dies).
      const directory = await resolveModelDirectory(args.model);
      const identity = await modelIdentity(args.model, directory, args.dtype, args['quantized-compute']);
      const { runLocalBatch } = await import('../../jobs/local-batch.js');
      const shownNotices = new Set<string>();
      const models = createReloadingCaptionProcessor(
        () =>
          openVideoModel(args.model, {
            ...(args.dtype !== undefined ? { dtype: args.dtype } : {}),
            ...(args.device !== undefined ? { device: args.device } : {}),
            ...(args['quantized-compute'] !== undefined ? { quantizedCompute: args['quantized-compute'] } : {}),
            // A reload after a crash would repeat the same fallback line; each is shown once.
            onNotice: (message: string) => {
              if (shownNotices.has(message)) return;
              shownNotices.add(message);
              context.stderr.write(`${message}\n`);
            },
            signal: context.signal,
          }),
        identity,
      );
      try {
        summary = await runLocalBatch(args.inputs, {
          ...common,
          keyParameters: captionKeyParameters(settings, identity),
          processor: models.processor,
          concurrency: args.concurrency,
        });
      } finally {
        progress.finish();
        await models.dispose();
      }
    }
    context.stdout.write(args.json ? `${JSON.stringify(summary)}\n` : formatBatchSummary(summary));
    return summary.exitCode;
  },
});

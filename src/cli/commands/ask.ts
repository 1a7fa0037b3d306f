/**
 * @file `vidtok ask <video> "<question>"`: video QA. Runs a pipeline over the video with the model's own vision
 * encoder, prefills the model once, and answers one question, every line of `--questions file`, or (no question, a
 * terminal on stdin) questions typed interactively — all from the same prefilled context. `--stream` prints tokens as
 * they come; `--json` prints the answers with the pipeline, the frames used, the visual token count and the time
 * spent decoding, encoding, compressing, prefilling and generating. A thin layer over src/uses/ask-video.ts (loaded
 * on use, so other commands never load the model runtime).
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { InputNotFoundError, UsageError } from '../../errors/index.js';
import type { PipelineProgress } from '../../pipeline/run-pipeline.js';
import type { AskVideoResult } from '../../uses/ask-video.js';
import { parseChoices } from '../../uses/choice-prompt.js';
import { defaultAnswerTokens, defaultVideoPipeline } from '../../uses/use-defaults.js';
import type { VideoAnswer, VideoContextOptions, VideoContextSummary } from '../../uses/video-context.js';
import { defineCommand, type CommandContext } from '../command.js';
import {
  type CommandArguments,
  defineOptions,
  definePositionals,
  generationFromArguments,
  generationOptions,
  modelOptions,
  outputOptions,
  pipelineOptions,
  timeWindowOptions,
} from '../options/index.js';

const askPositionals = definePositionals({
  video: { type: 'string', demandOption: true, describe: 'Video file or URL' },
  question: { type: 'string', describe: 'The question (omit on a terminal to ask interactively)' },
});

const askOptions = defineOptions({
  questions: { type: 'string', describe: 'A file with one question per line, all answered from one prefill' },
  pipeline: { ...pipelineOptions.pipeline, default: defaultVideoPipeline },
  model: modelOptions.model,
  dtype: modelOptions.dtype,
  device: modelOptions.device,
  'quantized-compute': modelOptions['quantized-compute'],
  encoder: { ...pipelineOptions.encoder, describe: "Force an encoder (default: the model's own vision encoder)" },
  budget: pipelineOptions.budget,
  ...timeWindowOptions,
  choices: { type: 'string', describe: 'Multiple choice: options separated by ";" (answer is a letter)' },
  system: { type: 'string', describe: "A system message before the video (replaces the paper's)" },
  'paper-prompt': {
    type: 'boolean',
    default: true,
    describe:
      "Ask in the pipeline paper's wording and assistant prefix (docs/ask.md); --no-paper-prompt asks the plain question",
  },
  ...generationOptions(defaultAnswerTokens, 'answer'),
  stream: { type: 'boolean', default: false, describe: 'Print answer tokens as they are generated' },
  json: { ...outputOptions.json, describe: 'Print JSON: answers, pipeline, frames, token counts, timings' },
});

type AskArguments = CommandArguments<typeof askPositionals, typeof askOptions>;

async function readQuestionsFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputNotFoundError(
      path,
      code === 'ENOENT' ? 'no such questions file' : `questions file cannot be read (${code ?? String(error)})`,
    );
  }
  const questions = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
  if (questions.length === 0) throw new UsageError(`--questions ${path}: the file has no questions (one per line)`);
  return questions;
}

function pipelineProgress(context: CommandContext): ((event: PipelineProgress) => void) | undefined {
  if (!context.interactive) return undefined;
  return (event) => {
    if (event.type === 'frame') context.stderr.write(`\r\x1b[Kdecoding frame ${event.count}/${event.expected}`);
    else if (event.type === 'end') context.stderr.write(`\r\x1b[K${event.stage}: ${event.milliseconds} ms`);
  };
}

const rounded = (milliseconds: number): number => Math.round(milliseconds * 10) / 10;

/** The JSON document `--json` prints. */
export function askJson(result: AskVideoResult): Record<string, unknown> {
  const video = result.video;
  return {
    input: video.input,
    model: video.model,
    pipeline: video.pipeline,
    video: video.video,
    frames: video.frames,
    visualTokens: video.visualTokens,
    segments: video.segments.map((segment) => ({
      role: segment.role,
      count: segment.count,
      timestamps: segment.timestamps,
    })),
    ...(video.systemPrompt !== undefined ? { systemPrompt: video.systemPrompt } : {}),
    contextTokens: video.contextTokens,
    timings: Object.fromEntries(Object.entries(video.timings).map(([name, value]) => [name, rounded(value)])),
    answers: result.answers.map((answer) => ({
      ...answer,
      timings: {
        decodeMilliseconds: video.timings.decodeMilliseconds,
        encodeMilliseconds: video.timings.encodeMilliseconds,
        compressMilliseconds: video.timings.compressMilliseconds,
        contextPrefillMilliseconds: rounded(video.timings.prefillMilliseconds),
        prefillMilliseconds: rounded(answer.timings.prefillMilliseconds),
        generateMilliseconds: rounded(answer.timings.generateMilliseconds),
        timeToFirstTokenMilliseconds: rounded(answer.timings.timeToFirstTokenMilliseconds),
      },
    })),
  };
}

function contextLine(summary: VideoContextSummary): string {
  const first = summary.frames[0]?.pts ?? 0;
  const last = summary.frames[summary.frames.length - 1]?.pts ?? 0;
  return `${summary.pipeline.name}: ${summary.frames.length} frames (${first.toFixed(1)}-${last.toFixed(1)} s), ${summary.visualTokens} visual tokens, prefilled ${summary.contextTokens} positions in ${Math.round(summary.timings.prefillMilliseconds)} ms\n`;
}

/** Interactive questions on a terminal: one context, a prompt per question, until an empty line or end of input. */
async function interactive(
  args: AskArguments,
  context: CommandContext,
  options: VideoContextOptions,
  answerOptions: Record<string, unknown>,
): Promise<number> {
  const { openVideoContext } = await import('../../uses/video-context.js');
  const video = await openVideoContext(args.video, options);
  const lines = createInterface({
    input: process.stdin,
    output: context.stderr as NodeJS.WritableStream,
    terminal: true,
    prompt: '? ',
  });
  const onAbort = (): void => lines.close();
  context.signal.addEventListener('abort', onAbort, { once: true });
  try {
    context.stderr.write(
      `\r\x1b[K${contextLine(video.summary)}Ask questions about the video; an empty line or Ctrl-D ends.\n`,
    );
    lines.prompt();
    // The line iterator buffers lines typed (or pasted) while an answer is being generated.
    for await (const line of lines) {
      const question = line.trim();
      if (question.length === 0 || context.signal.aborted) break;
      if (args.json) context.stdout.write(`${JSON.stringify(await video.ask(question, answerOptions))}\n`);
      else {
        await video.ask(question, { ...answerOptions, onText: (text) => context.stdout.write(text) });
        context.stdout.write('\n');
      }
      lines.prompt();
    }
  } finally {
    context.signal.removeEventListener('abort', onAbort);
    lines.close();
    await video.dispose();
  }
  return 0;
}

export const askCommand = defineCommand({
  command: 'ask <video> [question]',
  describe: 'Answer questions about a video with a local VLM (one prefill, many questions)',
  positionals: askPositionals,
  options: askOptions,
  examples: [
    [
      '$0 ask clip.mp4 "What is the dog doing?"',
      'One answer with the default model (smolvlm2-256m) and pipeline (uniform)',
    ],
    ['$0 ask clip.mp4 "Which sport?" --choices "tennis;skateboarding;yoga"', 'Multiple choice; the answer is a letter'],
    ['$0 ask clip.mp4 --questions questions.txt --json', 'Several questions, one prefill of the video'],
    ['$0 ask clip.mp4 -m ./my-model -p slowfast-llava --stream "Describe it"', 'Another model and pipeline, streamed'],
    [
      '$0 ask clip.mp4 -p ts-llava --no-paper-prompt "What is shown?"',
      "The plain question, without TS-LLaVA's wording",
    ],
  ],
  run: async (args, context) => {
    const generation = generationFromArguments(args);
    const choices = args.choices !== undefined ? parseChoices(args.choices) : undefined;
    if (args.stream && args.json)
      throw new UsageError('--stream and --json: choose one (JSON is printed when the answers are complete)');
    if (args.question !== undefined && args.questions !== undefined)
      throw new UsageError('give either a question or --questions <file>, not both');
    const onProgress = pipelineProgress(context);
    const contextOptions: VideoContextOptions = {
      pipeline: args.pipeline,
      model: args.model,
      ...(args.dtype !== undefined ? { dtype: args.dtype } : {}),
      ...(args.device !== undefined ? { device: args.device } : {}),
      ...(args['quantized-compute'] !== undefined ? { quantizedCompute: args['quantized-compute'] } : {}),
      onNotice: (message: string) => context.stderr.write(`${message}\n`),
      ...(args.encoder !== undefined ? { encoder: args.encoder } : {}),
      ...(args.budget !== undefined ? { budget: args.budget } : {}),
      ...(args.start !== undefined ? { start: args.start } : {}),
      ...(args.end !== undefined ? { end: args.end } : {}),
      ...(args.system !== undefined ? { systemPrompt: args.system } : {}),
      ...(args['paper-prompt'] === false ? { paperPrompt: false } : {}),
      ...(choices ? { questionKind: 'multiple-choice' as const } : {}),
      signal: context.signal,
      ...(onProgress ? { onProgress } : {}),
    };
    let questions: string[];
    if (args.questions !== undefined) questions = await readQuestionsFile(args.questions);
    else if (args.question !== undefined) questions = [args.question];
    else if (process.stdin.isTTY) {
      return interactive(args, context, contextOptions, {
        ...generation,
        ...(choices ? { choices } : {}),
        signal: context.signal,
      });
    } else
      throw new UsageError('no question: give one, use --questions <file>, or run on a terminal to ask interactively');

    const several = questions.length > 1;
    const printAnswer = (index: number, answer: VideoAnswer): void => {
      if (onProgress) context.stderr.write('\r\x1b[K');
      if (args.json) return;
      if (args.stream) context.stdout.write('\n');
      else context.stdout.write(several ? `Q: ${answer.question}\nA: ${answer.answer}\n` : `${answer.answer}\n`);
      if (several && index < questions.length - 1) context.stdout.write('\n');
    };
    let streamedFirst = -1;
    // Loaded on use, so `vidtok --help` and the other commands never load the model runtime.
    const { askVideo } = await import('../../uses/ask-video.js');
    const result = await askVideo(args.video, questions, {
      ...contextOptions,
      generation,
      ...(choices ? { choices } : {}),
      ...(args.stream
        ? {
            onText: (index: number, text: string) => {
              if (streamedFirst !== index) {
                streamedFirst = index;
                if (onProgress) context.stderr.write('\r\x1b[K');
                if (several) context.stdout.write(`Q: ${questions[index]}\nA: `);
              }
              context.stdout.write(text);
            },
          }
        : {}),
      onAnswer: printAnswer,
    });
    if (onProgress) context.stderr.write('\r\x1b[K');
    if (args.json) context.stdout.write(`${JSON.stringify(askJson(result))}\n`);
    return 0;
  },
});

/**
 * @file `askVideo(input, questions, options)`: the programmatic `vidtok ask`. Opens the video once (pipeline run +
 * one context prefill, see video-context.ts) and answers every question from that prefilled context, in order, in
 * the pipeline's paper wording unless `paperPrompt: false` (paper-prompt.ts).
 * Returns what the model saw and, per answer, the text, token counts and the time spent decoding, encoding,
 * compressing, prefilling and generating (the first three and the context prefill are shared by all answers).
 */
import { UsageError } from '../errors/index.js';
import { resolvePipeline } from '../graph/pipeline-registry.js';
import type { GenerationOptions } from '../runtime/index.js';
import { questionKind, renderQuestion } from './paper-prompt.js';
import { defaultVideoPipeline } from './use-defaults.js';
import {
  openVideoContext,
  type VideoAnswer,
  type VideoContextOptions,
  type VideoContextSummary,
} from './video-context.js';

export interface AskVideoOptions extends VideoContextOptions {
  /** Generation settings for every answer (max new tokens, sampling). */
  readonly generation?: Omit<GenerationOptions, 'signal'>;
  /** Multiple-choice options applied to every question. */
  readonly choices?: readonly string[];
  /** Streamed answer text: question index and the new piece of text. */
  readonly onText?: (questionIndex: number, text: string) => void;
  /** Called after each answer (e.g. to print it before the next one is generated). */
  readonly onAnswer?: (questionIndex: number, answer: VideoAnswer) => void;
}

export interface AskVideoResult {
  readonly video: VideoContextSummary;
  readonly answers: readonly VideoAnswer[];
}

/** Answers `questions` about `input` with one pipeline run and one context prefill. */
export async function askVideo(
  input: string,
  questions: readonly string[],
  options: AskVideoOptions = {},
): Promise<AskVideoResult> {
  const asked = questions.map((question) => question.trim());
  if (asked.length === 0 || asked.some((question) => question.length === 0)) {
    throw new UsageError('question: ask at least one non-empty question');
  }
  const { generation, choices, onText, onAnswer, ...contextOptions } = options;
  // Question-conditioned stages (B-VLLM) read the first question as the model is asked it, in the pipeline's wording
  // with its options (B-VLLM conditions its Q-Former on the whole MVBench instruct).
  const pipeline =
    typeof contextOptions.pipeline === 'object'
      ? contextOptions.pipeline
      : await resolvePipeline(
          contextOptions.pipeline ?? defaultVideoPipeline,
          options.signal ? { signal: options.signal } : {},
        );
  const condition = renderQuestion(
    contextOptions.paperPrompt === false ? undefined : pipeline.prompt,
    asked[0]!,
    choices,
  ).text;
  const context = await openVideoContext(input, {
    question: condition,
    questionKind: questionKind(choices),
    ...contextOptions,
    pipeline,
  });
  try {
    const answers: VideoAnswer[] = [];
    for (const [index, question] of asked.entries()) {
      const answer = await context.ask(question, {
        ...generation,
        ...(choices ? { choices } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(onText ? { onText: (text: string) => onText(index, text) } : {}),
      });
      answers.push(answer);
      onAnswer?.(index, answer);
    }
    return { video: context.summary, answers };
  } finally {
    await context.dispose();
  }
}

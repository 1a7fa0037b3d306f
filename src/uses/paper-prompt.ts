/**
 * @file The papers' prompts (a pipeline's `prompt:` section) turned into what a question asks: the user text that
 * follows the video, the assistant prefix the answer continues, and the system message of the context. The family's
 * prompt builder then renders them through its chat template, so the papers' Vicuna `USER:`/`ASSISTANT:` strings and
 * their separators are replaced by the model's own turn markup while every word is kept.
 *
 * Templates use `{question}` and `{options}`; an option is written with `{letter}` and `{option}` (default
 * `({letter}) {option}`), options joined by `optionSeparator` (default a newline). Placeholders are filled in one
 * pass, so braces inside a question are left as they are. Without a paper prompt (or with `paperPrompt: false`) a
 * question is asked as written, and a multiple-choice question in the generic wording of choice-prompt.ts.
 */
import type { PipelinePrompt, PromptWording } from '../graph/pipeline-definition.js';
import { checkChoiceCount, choiceLetter, multipleChoicePrompt } from './choice-prompt.js';

export type QuestionKind = 'open-ended' | 'multiple-choice';

export interface RenderedQuestion {
  /** The user text after the video. */
  readonly text: string;
  /** What the assistant turn starts with; the answer continues it (and does not repeat it). */
  readonly assistantPrefix?: string;
  /** `paper`: the pipeline's wording; `plain`: the question as asked (or the generic multiple-choice wording). */
  readonly wording: 'paper' | 'plain';
}

/** Fills `{name}` placeholders of `template` in one pass; unknown names stay as written. */
export function fillPromptTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([a-z]+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** The kind of a question: multiple choice when options are given. */
export function questionKind(choices?: readonly string[]): QuestionKind {
  return choices !== undefined && choices.length > 0 ? 'multiple-choice' : 'open-ended';
}

function wordingFor(prompt: PipelinePrompt | undefined, kind: QuestionKind): PromptWording | undefined {
  return kind === 'multiple-choice' ? prompt?.multipleChoice : prompt?.openEnded;
}

/** The user text and assistant prefix for `question` (and `choices`) under a pipeline's prompt. */
export function renderQuestion(
  prompt: PipelinePrompt | undefined,
  question: string,
  choices?: readonly string[],
): RenderedQuestion {
  const asked = question.trim();
  const kind = questionKind(choices);
  if (kind === 'open-ended') {
    const wording = prompt?.openEnded;
    if (wording === undefined) return { text: asked, wording: 'plain' };
    return {
      text: fillPromptTemplate(wording.template, { question: asked }).trim(),
      ...(wording.assistantPrefix !== undefined ? { assistantPrefix: wording.assistantPrefix } : {}),
      wording: 'paper',
    };
  }
  const options = choices!;
  const wording = prompt?.multipleChoice;
  if (wording === undefined) return { text: multipleChoicePrompt(asked, options), wording: 'plain' };
  checkChoiceCount(options);
  const written = options
    .map((option, index) =>
      fillPromptTemplate(wording.option ?? '({letter}) {option}', {
        letter: choiceLetter(index),
        option: option.trim(),
      }),
    )
    .join(wording.optionSeparator ?? '\n');
  return {
    text: fillPromptTemplate(wording.template, { question: asked, options: written }).trim(),
    ...(wording.assistantPrefix !== undefined ? { assistantPrefix: wording.assistantPrefix } : {}),
    wording: 'paper',
  };
}

/** The system message a pipeline's prompt gives a context opened for `kind` questions. */
export function paperSystemMessage(prompt: PipelinePrompt | undefined, kind: QuestionKind): string | undefined {
  return wordingFor(prompt, kind)?.system ?? prompt?.system;
}

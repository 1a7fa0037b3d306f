/**
 * @file Multiple-choice prompts (`vidtok ask --choices "A;B;C"`) when the pipeline has no multiple-choice wording of
 * its own (see paper-prompt.ts), in the wording of the video-QA papers:
 *
 *     Question: {question}
 *     Options:
 *     (A) {first}
 *     (B) {second}
 *     Answer with the option's letter from the given choices directly.
 *
 * The `Question:` / `Options:` / `(A) ...` block is B-VLLM's MVBench instruct
 * (`bvlm/eval/inference_video_mcqa_mvbench.py`, quoted in spec/strategies.md) without its "Carefully watch the
 * video..." preamble; the closing sentence is the one B-VLLM shares with VideoLLaMB's
 * `llava/eval/model_videoqa_mc.py` (B-VLLM appends " and only give the best option", which we drop).
 */
import { UsageError } from '../errors/index.js';

/** Most options a question may have (A..Z). */
export const maximumChoices = 26;

/** Splits `"red;green;blue"` into trimmed, non-empty options; throws UsageError when fewer than two remain. */
export function parseChoices(value: string, optionName = '--choices'): string[] {
  const choices = value
    .split(';')
    .map((choice) => choice.trim())
    .filter((choice) => choice.length > 0);
  if (choices.length < 2) throw new UsageError(`${optionName} '${value}': give at least two options separated by ';'`);
  if (choices.length > maximumChoices)
    throw new UsageError(`${optionName}: ${choices.length} options, at most ${maximumChoices} (A-Z)`);
  return choices;
}

/** The letter of option `index` (0 → `A`). */
export function choiceLetter(index: number): string {
  return String.fromCharCode(65 + index);
}

/** Throws UsageError unless there are 2 to 26 options. */
export function checkChoiceCount(choices: readonly string[]): void {
  if (choices.length < 2 || choices.length > maximumChoices) {
    throw new UsageError(`choices: ${choices.length} options given, need 2 to ${maximumChoices}`);
  }
}

/**
 * The generic multiple-choice prompt for `question` and `choices` (see the file header for the source of the
 * wording), used when the pipeline has no multiple-choice wording of its own or paper prompts are off.
 */
export function multipleChoicePrompt(question: string, choices: readonly string[]): string {
  checkChoiceCount(choices);
  const options = choices.map((choice, index) => `(${choiceLetter(index)}) ${choice}`).join('\n');
  return `Question: ${question.trim()}\nOptions:\n${options}\nAnswer with the option's letter from the given choices directly.`;
}

/**
 * The option letter an answer starts with (`"(B) red"`, `"B."`, `"b"`, and after a paper's prefix `"B) red"`), or
 * undefined. A leading `Answer:` / `Best option:` that the model wrote itself (the papers' prefixes) is skipped.
 */
export function chosenLetter(answer: string, choiceCount: number): string | undefined {
  const unprefixed = answer.replace(/^\s*(?:answer\s*:\s*)?(?:best option\s*:\s*)?/i, '');
  const match = /^\s*\(?([A-Za-z])(?:\)|\.|:|\s|$)/.exec(unprefixed);
  if (!match) return undefined;
  const letter = match[1]!.toUpperCase();
  return letter.charCodeAt(0) - 65 < choiceCount ? letter : undefined;
}

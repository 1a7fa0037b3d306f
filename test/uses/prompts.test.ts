/**
 * @file The wording helpers and settings validation of the use cases: the multiple-choice prompt (B-VLLM /
 * VideoLLaMB style), option parsing and letter recognition, the caption question with its time span, the stage-time
 * split, and the generation-settings checks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/errors/index.js';
import {
  captionQuestion,
  chosenLetter,
  clockTime,
  defaultCaptionPrompt,
  generationSettings,
  multipleChoicePrompt,
  parseChoices,
  splitStageTimes,
} from '../../src/uses/index.js';

test("multiple-choice prompt: Question / Options / lettered options / the papers' closing sentence", () => {
  assert.equal(
    multipleChoicePrompt(' What is the dog doing? ', ['running', 'sleeping', 'skateboarding']),
    "Question: What is the dog doing?\nOptions:\n(A) running\n(B) sleeping\n(C) skateboarding\nAnswer with the option's letter from the given choices directly.",
  );
  assert.deepEqual(parseChoices(' red ; green;;blue '), ['red', 'green', 'blue']);
  assert.throws(() => parseChoices('red'), UsageError);
  assert.throws(() => parseChoices(Array.from({ length: 27 }, (_, i) => `o${i}`).join(';')), /at most 26/);
  assert.equal(chosenLetter('(B) sleeping', 3), 'B');
  assert.equal(chosenLetter('c.', 3), 'C');
  assert.equal(chosenLetter('A', 3), 'A');
  assert.equal(chosenLetter('D', 3), undefined, 'a letter past the options is no choice');
  assert.equal(chosenLetter('Because', 3), undefined, 'a word starting with a letter is no choice');
});

test('caption question names the chunk span', () => {
  assert.equal(clockTime(0), '0:00');
  assert.equal(clockTime(75.9), '1:15');
  assert.equal(clockTime(3725), '1:02:05');
  assert.equal(
    captionQuestion(defaultCaptionPrompt, 10, 20),
    'Describe what happens in this clip. (The clip runs from 0:10 to 0:20 of the video.)',
  );
});

test('stage times split into decode, encode and compress by the stage kind, not its id', () => {
  const split = splitStageTimes({
    timings: { 'frames (decode)': 40, vision: 25, thumb: 5, pool: 7, merge: 3 },
    params: {
      vision: { use: 'encode' },
      thumb: { use: 'encode-image' },
      pool: { use: 'pllava' },
      merge: { use: 'concat' },
    },
  });
  assert.deepEqual(split, { decodeMilliseconds: 40, encodeMilliseconds: 30, compressMilliseconds: 10 });
});

test('generation settings: valid values pass through, each bad one names its option', () => {
  assert.deepEqual(
    generationSettings({ maxNewTokens: 5, temperature: 0.7, topK: 40, topP: 0.9, repetitionPenalty: 1.1, seed: 3 }),
    {
      maxNewTokens: 5,
      temperature: 0.7,
      topK: 40,
      topP: 0.9,
      repetitionPenalty: 1.1,
      seed: 3,
    },
  );
  assert.deepEqual(generationSettings({}), {});
  for (const [input, option] of [
    [{ maxNewTokens: 0 }, '--max-new-tokens'],
    [{ maxNewTokens: 1.5 }, '--max-new-tokens'],
    [{ temperature: -1 }, '--temperature'],
    [{ topK: -2 }, '--top-k'],
    [{ topP: 0 }, '--top-p'],
    [{ topP: 1.2 }, '--top-p'],
    [{ repetitionPenalty: 0 }, '--repetition-penalty'],
    [{ seed: 0.5 }, '--seed'],
  ] as const) {
    assert.throws(
      () => generationSettings(input),
      (error: unknown) => error instanceof UsageError && error.message.startsWith(option),
    );
  }
});

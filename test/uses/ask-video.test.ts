/**
 * @file askVideo / openVideoContext on a real clip with the SmolVLM2 fixture model (random weights: the text is
 * gibberish, so only structure, counts, timings and reuse are asserted): the summary agrees with itself and with
 * ffprobe-independent facts (frame timestamps inside the video, token count = sum of segments = frames x 64), and a
 * second question prefills only its own tokens — counted at the runner, not taken from the library's own report.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadModel, type VlmModel } from '../../src/runtime/index.js';
import { askVideo, openVideoContext } from '../../src/uses/index.js';
import { GraphNegotiationError } from '../../src/errors/index.js';
import { smolvlm2Fixture, yogaClip } from './use-fixtures.js';

let model: VlmModel;
const prefills: { context: string; base?: string; positions: number; visualRows: number }[] = [];

before(async () => {
  model = await loadModel(smolvlm2Fixture, { runner: 'child' });
  const original = model.runner.prefill.bind(model.runner);
  // Count every prefill at the runner: which context, on top of which base, how many positions.
  (model.runner as { prefill: typeof original }).prefill = (request, options) => {
    prefills.push({
      context: request.context,
      ...(request.base !== undefined ? { base: request.base } : {}),
      positions: request.inputIds.length,
      visualRows: request.visualRows.length / model.info.hidden,
    });
    return original(request, options);
  };
});

after(async () => {
  await model?.dispose();
});

test('askVideo answers two questions from one prefill of the video context', async () => {
  prefills.length = 0;
  const result = await askVideo(yogaClip, ['What is the person doing?', 'Is it indoors?'], {
    model,
    generation: { maxNewTokens: 3 },
  });
  const { video, answers } = result;

  // What the model saw: 8 uniform frames (the default pipeline), 64 tokens each, timestamps inside the 10 s clip.
  assert.equal(video.pipeline.name, 'uniform');
  assert.equal(video.frames.length, 8);
  for (let at = 1; at < video.frames.length; at++)
    assert.ok(video.frames[at]!.pts > video.frames[at - 1]!.pts, 'timestamps ascend');
  assert.ok(video.frames.every((frame) => frame.pts >= 0 && frame.pts < video.video.duration));
  assert.equal(
    video.visualTokens,
    video.segments.reduce((sum, segment) => sum + segment.count, 0),
  );
  assert.equal(video.visualTokens, video.frames.length * model.info.tokensPerFrame);
  assert.deepEqual(
    video.segments.flatMap((segment) => segment.timestamps),
    video.frames.map((frame) => frame.pts),
  );
  for (const name of [
    'pipelineMilliseconds',
    'decodeMilliseconds',
    'encodeMilliseconds',
    'prefillMilliseconds',
  ] as const) {
    assert.ok(video.timings[name] > 0, `${name} > 0`);
  }

  // The runner saw exactly one prefill carrying the visual rows, and one small prefill per question on top of it.
  const contextPrefills = prefills.filter((call) => call.base === undefined);
  assert.equal(contextPrefills.length, 1);
  assert.equal(contextPrefills[0]!.visualRows, video.visualTokens);
  assert.equal(contextPrefills[0]!.positions, video.contextTokens);
  const questionPrefills = prefills.filter((call) => call.base === contextPrefills[0]!.context);
  assert.equal(questionPrefills.length, 2);
  assert.ok(questionPrefills.every((call) => call.visualRows === 0));

  assert.equal(answers.length, 2);
  answers.forEach((answer, index) => {
    assert.equal(
      answer.prefilledTokens,
      questionPrefills[index]!.positions,
      'reported prefill = positions the runner computed',
    );
    assert.ok(answer.prefilledTokens < 40, 'only the question is prefilled');
    assert.equal(answer.reusedTokens, video.contextTokens, 'the whole video context is reused');
    assert.ok(answer.generatedTokens >= 1 && answer.generatedTokens <= 3);
    assert.ok(answer.timings.prefillMilliseconds > 0 && answer.timings.timeToFirstTokenMilliseconds > 0);
    assert.equal(typeof answer.answer, 'string');
  });
  assert.ok(
    answers[1]!.timings.prefillMilliseconds < video.timings.prefillMilliseconds,
    'a question costs less than the video prefill',
  );
});

test('openVideoContext streams answer text that adds up to the answer; a time window limits the frames', async () => {
  const context = await openVideoContext(yogaClip, { model, start: 2, end: 5 });
  try {
    assert.ok(
      context.summary.frames.every((frame) => frame.pts >= 2 && frame.pts < 5),
      JSON.stringify(context.summary.frames),
    );
    const pieces: string[] = [];
    const answer = await context.ask('Describe it.', { maxNewTokens: 4, onText: (text) => pieces.push(text) });
    assert.equal(pieces.join('').trim(), answer.answer);
    const choice = await context.ask('Which one?', { maxNewTokens: 2, choices: ['left', 'right'] });
    assert.match(
      choice.prompt,
      /^Question: Which one\?\nOptions:\n\(A\) left\n\(B\) right\nAnswer with the option's letter/,
    );
    assert.deepEqual(choice.choices, ['left', 'right']);
  } finally {
    await context.dispose();
  }
});

test('a forced encoder whose tokens do not fit the language model is refused before decoding', async () => {
  await assert.rejects(openVideoContext(yogaClip, { model, encoder: 'pixels' }), (error: unknown) => {
    assert.ok(error instanceof GraphNegotiationError);
    assert.match(error.message, /588-d tokens but the smolvlm2 language model takes 32-d/);
    return true;
  });
});

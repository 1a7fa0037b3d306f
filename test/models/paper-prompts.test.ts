/**
 * @file The papers' prompts: every built-in pipeline's `prompt:` section validates and renders to the papers' exact
 * wording (TS-LLaVA/SlowFast image_seq_v3 and multiple_choice_allvideo_v4, PLLaVA conv_eval_videoqabench and
 * MVBench, IG-VLM's grid sentence, B-VLLM's MVBench instruct, VideoLLaMB's llava_v1 system) through each family's
 * chat template with the assistant prefix after the generation prompt; the schema refuses broken wording; and
 * askVideo on the SmolVLM2 fixture sends the paper's text and prefix (counted at the runner), or the plain question
 * with `paperPrompt: false`; `vidtok ask --no-paper-prompt` does the same through the CLI.
 */
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TokenStream } from '../../src/core/token-stream.js';
import { PipelineConfigError } from '../../src/errors/index.js';
import { listBuiltInPipelines, resolvePipeline } from '../../src/graph/pipeline-registry.js';
import { parsePipelineText } from '../../src/graph/pipeline-file.js';
import type { PipelineDefinition } from '../../src/graph/pipeline-definition.js';
import { llavaOnevisionFamily, smolvlm2Family } from '../../src/models/index.js';
import { loadModel, type VlmModel } from '../../src/runtime/index.js';
import { locateModelFiles } from '../../src/runtime/model-files.js';
import { loadTextTokenizer } from '../../src/runtime/text-tokenizer.js';
import {
  askVideo,
  chosenLetter,
  fillPromptTemplate,
  paperSystemMessage,
  renderQuestion,
} from '../../src/uses/index.js';
import { llavaOnevisionFixture, smolvlm2Fixture } from '../runtime/fixture-models.js';
import { repoRoot, scratchDir } from '../helpers/paths.js';
import { runVidtok, writeSmallPipeline, yogaClip } from '../uses/use-fixtures.js';

const smolTokenizer = loadTextTokenizer(locateModelFiles(smolvlm2Fixture));
const llavaTokenizer = loadTextTokenizer(locateModelFiles(llavaOnevisionFixture));

const tsLlavaOpen =
  'The input consists of a sequence of key frames from a video. Answer concisely with overall content and context of the video, highlighting any significant events, characters, or objects that appear throughout the video. Question: What is the man doing?';

function oneFrame(): TokenStream {
  return {
    dim: 4,
    segments: [
      {
        type: 'visual',
        role: 'frames',
        tokens: new Float32Array(8),
        count: 2,
        dim: 4,
        timestamps: [0],
        frameIndices: [0],
      },
    ],
    metadata: { pipeline: 'test', encoder: 'test', params: {} },
  };
}

describe("built-in pipelines carry the papers' prompts", () => {
  const pipelines = new Map<string, PipelineDefinition>();
  before(async () => {
    for (const definition of await listBuiltInPipelines()) pipelines.set(definition.name, definition);
  });

  it('TS-LLaVA and SlowFast-LLaVA: image_seq_v3 with "Answer: In the video," and multiple_choice_allvideo_v4', () => {
    for (const name of ['ts-llava', 'slowfast-llava']) {
      const prompt = pipelines.get(name)!.prompt;
      assert.deepEqual(renderQuestion(prompt, ' What is the man doing? '), {
        text: tsLlavaOpen,
        assistantPrefix: 'Answer: In the video,',
        wording: 'paper',
      });
      assert.deepEqual(renderQuestion(prompt, 'Which sport?', ['tennis', 'yoga']), {
        text: 'The input consists of a sequence of key frames from a video.\nQuestion: Which sport?\nOptions:\n(A) tennis\n(B) yoga\nOnly give the best option.',
        assistantPrefix: 'Answer: Best option:(',
        wording: 'paper',
      });
      assert.equal(
        paperSystemMessage(prompt, 'multiple-choice'),
        'You are a helpful expert in video analysis. Select the best option to answer the question.',
      );
      assert.equal(paperSystemMessage(prompt, 'open-ended'), undefined);
    }
  });

  it('PLLaVA: conv_eval_videoqabench and MVBench (SYSTEM_MVBENCH, "Best option:(")', () => {
    const prompt = pipelines.get('pllava')!.prompt;
    assert.deepEqual(renderQuestion(prompt, 'Who enters?'), {
      text: 'The input consists of a sequence of key frames from a video. Answer the question concisely first and followed by significant events, characters, or objects that appear throughout the frames. Question: Who enters?',
      assistantPrefix: 'Answer: In the video,',
      wording: 'paper',
    });
    const choice = renderQuestion(prompt, 'Who enters?', ['a cat', 'a dog']);
    assert.equal(choice.text, 'Question: Who enters?\nOptions:\n(A) a cat\n(B) a dog\nOnly give the best option.');
    assert.equal(choice.assistantPrefix, 'Best option:(');
    assert.match(
      paperSystemMessage(prompt, 'multiple-choice')!,
      /^Carefully watch the video .* select the best option that accurately addresses the question\.$/,
    );
  });

  it('IG-VLM: the grid sentence, open-ended and inline multiple-choice options', () => {
    const prompt = pipelines.get('ig-vlm')!.prompt;
    const open = renderQuestion(prompt, 'what happens');
    assert.ok(
      open.text.startsWith(
        'The provided image arranges keyframes from a video in a grid view. Answer concisely with overall content',
      ),
    );
    assert.ok(open.text.endsWith('appear throughout the frames. Question: what happens'));
    assert.equal(open.assistantPrefix, 'Answer: In the video,');
    const choice = renderQuestion(prompt, 'what happens', ['runs', 'sits', 'jumps']);
    assert.equal(
      choice.text,
      'The provided image arranges keyframes from a video in a grid view. Question: what happens A:runs. B:sits. C:jumps.\nSelect the correct answer from the options.',
    );
    assert.equal(choice.assistantPrefix, 'Answer:');
    assert.equal(paperSystemMessage(prompt, 'multiple-choice'), 'Select correct option to answer the question.');
  });

  it('B-VLLM (and its pre-encoder variant): the MVBench instruct for multiple choice, the question as written otherwise', () => {
    assert.deepEqual(pipelines.get('b-vllm-prefilter')!.prompt, pipelines.get('b-vllm')!.prompt);
    const prompt = pipelines.get('b-vllm')!.prompt;
    assert.deepEqual(renderQuestion(prompt, 'What is shown?'), { text: 'What is shown?', wording: 'plain' });
    const choice = renderQuestion(prompt, 'What is shown?', ['a', 'b']);
    assert.ok(
      choice.text.startsWith('Carefully watch the video and pay attention to the cause and sequence of events'),
    );
    assert.ok(
      choice.text.endsWith(
        "\nQuestion: What is shown?\nOptions:\n(A) a\n(B) b\nAnswer with the option's letter from the given choices directly and only give the best option.",
      ),
    );
    assert.equal(choice.assistantPrefix, undefined);
  });

  it('VideoLLaMB: llava_v1 system message for both kinds, lettered options', () => {
    const prompt = pipelines.get('scenetilling')!.prompt;
    const system =
      "A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the human's questions.";
    assert.equal(paperSystemMessage(prompt, 'open-ended'), system);
    assert.equal(paperSystemMessage(prompt, 'multiple-choice'), system);
    assert.equal(
      renderQuestion(prompt, 'Why?', ['x', 'y']).text,
      "Why?\nA. x\nB. y\nAnswer with the option's letter from the given choices directly.",
    );
  });

  it('every built-in pipeline validated (loading them above would have thrown)', () => {
    for (const name of ['b-vllm', 'ig-vlm', 'pllava', 'scenetilling', 'slowfast-llava', 'ts-llava', 'uniform'])
      assert.ok(pipelines.has(name), name);
  });

  it('uniform has no paper wording: plain question, generic multiple choice', () => {
    const prompt = pipelines.get('uniform')!.prompt;
    assert.deepEqual(renderQuestion(prompt, 'Why?'), { text: 'Why?', wording: 'plain' });
    assert.match(
      renderQuestion(prompt, 'Why?', ['x', 'y']).text,
      /^Question: Why\?\nOptions:\n\(A\) x\n\(B\) y\nAnswer with the option's letter/,
    );
  });
});

describe('rendered through the family chat templates', () => {
  it('SmolVLM2: user text after the media, "Assistant: Answer: In the video,"', async () => {
    const prompt = (await resolvePipeline('ts-llava')).prompt;
    const rendered = renderQuestion(prompt, 'What is the man doing?');
    const options = { ...(rendered.assistantPrefix ? { assistantPrefix: rendered.assistantPrefix } : {}) };
    const text =
      smolvlm2Family.contextText(oneFrame(), smolTokenizer, options) +
      smolvlm2Family.questionText(rendered.text, smolTokenizer, options);
    assert.ok(
      text.endsWith(`<fake_token_around_image>\n\n${tsLlavaOpen}<end_of_utterance>\nAssistant: Answer: In the video,`),
    );
    assert.ok(!text.includes('USER:') && !text.includes('ASSISTANT:'), 'no Vicuna role strings');
  });

  it('LLaVA-OneVision: system turn from the template, "<|im_start|>assistant\\nBest option:("', async () => {
    const prompt = (await resolvePipeline('pllava')).prompt;
    const rendered = renderQuestion(prompt, 'Who?', ['a', 'b']);
    const options = {
      systemPrompt: paperSystemMessage(prompt, 'multiple-choice')!,
      assistantPrefix: rendered.assistantPrefix!,
    };
    const text =
      llavaOnevisionFamily.contextText(oneFrame(), llavaTokenizer, options) +
      llavaOnevisionFamily.questionText(rendered.text, llavaTokenizer, options);
    assert.ok(text.startsWith('<|im_start|>system \nCarefully watch the video'));
    assert.ok(
      text.endsWith(
        '<|im_start|>user <video><video>\nQuestion: Who?\nOptions:\n(A) a\n(B) b\nOnly give the best option.<|im_end|><|im_start|>assistant\nBest option:(',
      ),
    );
  });
});

describe('prompt templates and the pipeline schema', () => {
  it('reads the letter after a paper prefix, or after a prefix the model wrote itself', () => {
    assert.equal(chosenLetter('B) yoga', 3), 'B', 'continuing "Best option:("');
    assert.equal(chosenLetter(' C:boating.', 3), 'C', 'continuing IG-VLM\'s "Answer:"');
    assert.equal(chosenLetter('Answer: Best option:(A) tennis', 3), 'A');
    assert.equal(chosenLetter('Best option: (B)', 3), 'B');
    assert.equal(chosenLetter('Answer: the dog', 3), undefined, 'a word after the prefix is no choice');
  });

  it('fills placeholders in one pass and leaves braces inside a question alone', () => {
    assert.equal(
      fillPromptTemplate('Q: {question} / {options}', { question: 'is {options} here?', options: '(A) x' }),
      'Q: is {options} here? / (A) x',
    );
    assert.equal(fillPromptTemplate('{unknown} {question}', { question: 'q' }), '{unknown} q');
  });

  const base =
    'name: t\ndescription: t\nversion: 1\nbudget: 10\nframes:\n  count: 2\n  rule: np_linspace_int\nstages:\n  - id: encode\n    use: encode\n  - id: tokens\n    use: uniform\noutput: tokens\n';
  it('accepts a full prompt section', () => {
    const definition = parsePipelineText(
      `${base}prompt:\n  system: S\n  openEnded:\n    template: "Q {question}"\n    assistantPrefix: "A:"\n  multipleChoice:\n    template: "{question} {options}"\n    option: "{letter}) {option}"\n    optionSeparator: "; "\n`,
      't.yaml',
    );
    assert.equal(renderQuestion(definition.prompt, 'q', ['x', 'y']).text, 'q A) x; B) y');
    assert.equal(paperSystemMessage(definition.prompt, 'open-ended'), 'S');
  });

  for (const [section, field] of [
    ['prompt:\n  openEnded:\n    template: "no placeholder"\n', '/prompt/openEnded/template'],
    ['prompt:\n  multipleChoice:\n    template: "{question} without options"\n', '/prompt/multipleChoice/template'],
    [
      'prompt:\n  multipleChoice:\n    template: "{question} {options}"\n    option: "{option} only"\n',
      '/prompt/multipleChoice/option',
    ],
    ['prompt:\n  instruction: "the old free-form field"\n', '/prompt'],
  ] as const) {
    it(`refuses ${field}: ${section.split('\n').at(-2)!.trim()}`, () => {
      assert.throws(
        () => parsePipelineText(base + section, 't.yaml'),
        (error: unknown) => error instanceof PipelineConfigError && error.message.includes(field),
      );
    });
  }
});

describe('askVideo sends the paper wording (SmolVLM2 fixture)', () => {
  let model: VlmModel;
  const questionPrefills: number[][] = [];
  before(async () => {
    model = await loadModel(smolvlm2Fixture, { runner: 'in-process' });
    const original = model.runner.prefill.bind(model.runner);
    (model.runner as { prefill: typeof original }).prefill = (request, options) => {
      if (request.base !== undefined) questionPrefills.push(Array.from(request.inputIds));
      return original(request, options);
    };
  });
  after(async () => {
    await model?.dispose();
  });

  // TS-LLaVA's wording on a cheap two-frame uniform pipeline (the prompt does not depend on the stages).
  async function pipelineWithTsLlavaPrompt(): Promise<PipelineDefinition> {
    const uniform = await resolvePipeline('uniform');
    return {
      ...uniform,
      name: 'uniform-2',
      frames: { count: 2, rule: 'np_linspace_int' },
      prompt: (await resolvePipeline('ts-llava')).prompt!,
    };
  }

  it('asks the template with the assistant prefix, and the plain question with paperPrompt false', async () => {
    const pipeline = await pipelineWithTsLlavaPrompt();
    questionPrefills.length = 0;
    const paper = await askVideo(yogaClip, ['What is the man doing?'], {
      model,
      pipeline,
      generation: { maxNewTokens: 2 },
    });
    const answer = paper.answers[0]!;
    assert.equal(answer.prompt, tsLlavaOpen);
    assert.equal(answer.assistantPrefix, 'Answer: In the video,');
    const expected = smolTokenizer.encode(
      smolvlm2Family.questionText(tsLlavaOpen, smolTokenizer, { assistantPrefix: 'Answer: In the video,' }),
    );
    assert.deepEqual(questionPrefills[0], expected, 'the runner prefilled the paper text and the prefix');
    assert.equal(paper.video.systemPrompt, undefined);

    questionPrefills.length = 0;
    const plain = await askVideo(yogaClip, ['What is the man doing?'], {
      model,
      pipeline,
      paperPrompt: false,
      generation: { maxNewTokens: 2 },
    });
    assert.equal(plain.answers[0]!.prompt, 'What is the man doing?');
    assert.equal(plain.answers[0]!.assistantPrefix, undefined);
    assert.deepEqual(
      questionPrefills[0],
      smolTokenizer.encode(smolvlm2Family.questionText('What is the man doing?', smolTokenizer, {})),
    );
  });

  it("multiple choice prefills the paper's multiple-choice system message with the video", async () => {
    const pipeline = await pipelineWithTsLlavaPrompt();
    const result = await askVideo(yogaClip, ['Which sport?'], {
      model,
      pipeline,
      choices: ['yoga', 'tennis'],
      generation: { maxNewTokens: 2 },
    });
    assert.equal(
      result.video.systemPrompt,
      'You are a helpful expert in video analysis. Select the best option to answer the question.',
    );
    assert.equal(result.answers[0]!.assistantPrefix, 'Answer: Best option:(');
    const override = await askVideo(yogaClip, ['Which sport?'], {
      model,
      pipeline,
      choices: ['yoga', 'tennis'],
      systemPrompt: 'Mine.',
      generation: { maxNewTokens: 2 },
    });
    assert.equal(override.video.systemPrompt, 'Mine.', "the user's system message replaces the paper's");
  });
});

describe('vidtok ask --no-paper-prompt', () => {
  it('--json reports the paper wording and prefix by default, the plain question with --no-paper-prompt', async () => {
    // A two-frame uniform pipeline carrying TS-LLaVA's prompt section, as a user's pipeline file would.
    const file = writeSmallPipeline(scratchDir('paper-prompts'), 2);
    const tsLlava = readFileSync(join(repoRoot, 'pipelines', 'ts-llava.yaml'), 'utf8');
    appendFileSync(file, tsLlava.slice(tsLlava.search(/^prompt:$/m)));
    const common = [
      'ask',
      yogaClip,
      'What is the man doing?',
      '-m',
      smolvlm2Fixture,
      '-p',
      file,
      '--max-new-tokens',
      '2',
      '--json',
    ];
    const paper = await runVidtok(common);
    assert.equal(paper.code, 0, paper.stderr);
    const paperAnswer = JSON.parse(paper.stdout).answers[0];
    assert.equal(paperAnswer.prompt, tsLlavaOpen);
    assert.equal(paperAnswer.assistantPrefix, 'Answer: In the video,');
    const plain = await runVidtok([...common, '--no-paper-prompt']);
    assert.equal(plain.code, 0, plain.stderr);
    const plainAnswer = JSON.parse(plain.stdout).answers[0];
    assert.equal(plainAnswer.prompt, 'What is the man doing?');
    assert.equal(plainAnswer.assistantPrefix, undefined);
    assert.ok(plainAnswer.prefilledTokens < paperAnswer.prefilledTokens, 'the plain question prefills fewer positions');
  });
});

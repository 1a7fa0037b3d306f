/**
 * @file Parsing chat-completion bodies: the video part, the question (last user message), system messages,
 * sampling fields, the `vidtok` extra field, and a 400 naming the field for each invalid value.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpError, parseChatRequest } from '../../src/serve/index.js';

const video = { type: 'video_url', video_url: { url: 'clip.mp4' } };

test('a request with a video part, a system message, sampling fields and vidtok options', () => {
  const request = parseChatRequest(
    {
      model: 'm',
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 7,
      temperature: 0.5,
      top_p: 0.9,
      seed: 3,
      stop: ['\n\n'],
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [video, { type: 'text', text: 'What happens?' }] },
        { role: 'assistant', content: 'A boat.' },
        { role: 'user', content: ' And then? ' },
      ],
      vidtok: { pipeline: 'pllava', budget: 900, start: 1, end: 4, paper_prompt: false, choices: ['a', 'b'] },
    },
    100,
  );
  assert.deepEqual(request.media, { kind: 'video', url: 'clip.mp4' });
  assert.equal(request.question, 'And then?');
  assert.equal(request.systemPrompt, 'Be brief.');
  assert.equal(request.stream, true);
  assert.equal(request.includeUsageInStream, true);
  assert.deepEqual(request.generation, {
    maxNewTokens: 7,
    temperature: 0.5,
    topP: 0.9,
    seed: 3,
    stopStrings: ['\n\n'],
  });
  assert.deepEqual(request.vidtok, {
    pipeline: 'pllava',
    budget: 900,
    start: 1,
    end: 4,
    paperPrompt: false,
    choices: ['a', 'b'],
  });
});

test('invalid fields are 400s naming the field', () => {
  const base = { model: 'm', messages: [{ role: 'user', content: [video, { type: 'text', text: 'q' }] }] };
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ ...base, model: '' }, 'model'],
    [{ ...base, messages: [] }, 'messages'],
    [{ ...base, messages: [{ role: 'user', content: 'no video' }] }, 'messages'],
    [
      { ...base, messages: [{ role: 'user', content: [video, video, { type: 'text', text: 'q' }] }] },
      'messages[0].content[1]',
    ],
    [{ ...base, messages: [{ role: 'user', content: [video] }] }, 'messages'],
    [{ ...base, messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].role'],
    [{ ...base, messages: [{ role: 'user', content: [{ type: 'input_audio' }] }] }, 'messages[0].content[0].type'],
    [{ ...base, max_tokens: 0 }, 'max_tokens'],
    [{ ...base, max_tokens: 101 }, 'max_tokens'],
    [{ ...base, temperature: 3 }, 'temperature'],
    [{ ...base, top_p: 0 }, 'top_p'],
    [{ ...base, seed: 1.5 }, 'seed'],
    [{ ...base, stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop'],
    [{ ...base, n: 2 }, 'n'],
    [{ ...base, vidtok: { pipeline: '../etc/x.yaml' } }, 'vidtok.pipeline'],
    [{ ...base, vidtok: { start: 5, end: 2 } }, 'vidtok.end'],
    [{ ...base, vidtok: { ffmpeg: '-i x' } }, 'vidtok.ffmpeg'],
  ];
  for (const [body, param] of cases) {
    assert.throws(
      () => parseChatRequest(body, 100),
      (error: unknown) => error instanceof HttpError && error.status === 400 && error.param === param,
      `expected a 400 for ${param}: ${JSON.stringify(body).slice(0, 120)}`,
    );
  }
});

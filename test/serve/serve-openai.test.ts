/**
 * @file `vidtok serve` driven by the official `openai` npm client against the fixture model: a plain and a streamed
 * completion with a video_url part (the second answered from the cached video context), the raw SSE stream ending
 * with `data: [DONE]`, the OpenAI error shapes (403 outside --media-dir, 404 unknown model, 400, 401 without the
 * key, 503 while loading), a queue overflow answered 429 with Retry-After, and a client disconnect that stops the
 * generation (the runner stops generating: the token counter freezes, and the same model answers the next request).
 */
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import OpenAI from 'openai';
import { startServer, type VidtokServer } from '../../src/serve/index.js';
import { scratchDir, sharedVideosDir } from '../helpers/paths.js';
import { smolvlm2Fixture } from '../uses/use-fixtures.js';

const scratch = scratchDir('serve-openai');
symlinkSync('/etc/hostname', join(scratch, 'escape.mp4'));
const servers: VidtokServer[] = [];
after(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

type VideoPart = { type: 'video_url'; video_url: { url: string } };
const videoQuestion = (url: string, question: string): OpenAI.Chat.ChatCompletionMessageParam[] => [
  {
    role: 'user',
    content: [
      { type: 'video_url', video_url: { url } } satisfies VideoPart as unknown as OpenAI.Chat.ChatCompletionContentPart,
      { type: 'text', text: question },
    ],
  },
];

async function metricValue(server: VidtokServer, name: string): Promise<number> {
  const text = await server.metrics.text();
  const line = text.split('\n').find((entry) => entry.startsWith(`${name} `) || entry.startsWith(`${name}{`));
  return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function statusOf(
  promise: Promise<unknown>,
): Promise<{ status: number; error?: InstanceType<typeof OpenAI.APIError> }> {
  try {
    await promise;
    return { status: 200 };
  } catch (error) {
    assert.ok(error instanceof OpenAI.APIError, `an APIError, got ${String(error)}`);
    return { status: error.status ?? 0, error };
  }
}

test('plain and streamed completions with a video part; the follow-up reuses the prefilled video', async () => {
  const server = await startServer({ model: smolvlm2Fixture, port: 0, mediaDirectories: [sharedVideosDir, scratch] });
  servers.push(server);
  await server.ready;
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  const models = await client.models.list();
  assert.deepEqual(
    models.data.map((model) => model.id),
    ['smolvlm2-tiny'],
  );

  const plain = await client.chat.completions.create({
    model: 'smolvlm2-tiny',
    max_tokens: 4,
    messages: videoQuestion('yoga.mp4', 'What is the person doing?'),
  });
  assert.equal(plain.object, 'chat.completion');
  assert.equal(plain.choices.length, 1);
  assert.equal(plain.choices[0]!.message.role, 'assistant');
  assert.equal(typeof plain.choices[0]!.message.content, 'string');
  assert.ok(plain.usage && plain.usage.completion_tokens >= 1 && plain.usage.completion_tokens <= 4);
  const details = (
    plain as unknown as { vidtok: { cache: string; visual_tokens: number; context_tokens: number; frames: unknown[] } }
  ).vidtok;
  assert.equal(details.cache, 'miss');
  assert.equal(details.frames.length, 8, 'the uniform pipeline: 8 frames');
  assert.ok(plain.usage.prompt_tokens > details.context_tokens, 'prompt = video context + question');
  assert.equal(plain.usage.prompt_tokens_details?.cached_tokens, 0);
  if (plain.usage.completion_tokens === 4) assert.equal(plain.choices[0]!.finish_reason, 'length');

  const stream = await client.chat.completions.create({
    model: 'smolvlm2-tiny',
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: 4,
    messages: videoQuestion(`file://${join(sharedVideosDir, 'yoga.mp4')}`, 'Where is it?'),
  });
  const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  assert.equal(chunks[0]!.choices[0]!.delta.role, 'assistant');
  assert.ok(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.id === chunks[0]!.id));
  const finished = chunks.filter((chunk) => chunk.choices[0]?.finish_reason);
  assert.equal(finished.length, 1, 'one chunk carries the finish reason');
  const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
  assert.ok(text.length > 0, 'streamed text');
  const usage = chunks.at(-1)!.usage!;
  assert.ok(usage.completion_tokens >= 1 && usage.completion_tokens <= 4);
  assert.equal(
    usage.prompt_tokens_details?.cached_tokens,
    details.context_tokens,
    'the same video (by another name) hit the context cache',
  );
  assert.equal(await metricValue(server, 'vidtok_serve_context_cache_hits_total'), 1);
  assert.equal(await metricValue(server, 'vidtok_serve_context_cache_misses_total'), 1);

  // The raw stream: `data:` events and the final `data: [DONE]`.
  const raw = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      model: 'smolvlm2-tiny',
      stream: true,
      max_tokens: 2,
      messages: videoQuestion('yoga.mp4', 'Again?'),
    }),
  });
  assert.equal(raw.status, 200);
  assert.match(raw.headers.get('content-type') ?? '', /^text\/event-stream/);
  const body = await raw.text();
  assert.ok(body.endsWith('data: [DONE]\n\n'), body.slice(-80));
  assert.ok(
    body
      .split('\n\n')
      .filter(Boolean)
      .every((event) => event.startsWith('data: ')),
  );

  // Errors in OpenAI's shape.
  const outside = await statusOf(
    client.chat.completions.create({
      model: 'smolvlm2-tiny',
      messages: videoQuestion('file:///etc/hostname', 'What?'),
    }),
  );
  assert.equal(outside.status, 403);
  assert.equal((outside.error!.error as { type: string }).type, 'permission_error');
  assert.equal(
    (
      await statusOf(
        client.chat.completions.create({ model: 'smolvlm2-tiny', messages: videoQuestion('escape.mp4', 'What?') }),
      )
    ).status,
    403,
    'symlink out of --media-dir',
  );
  assert.equal(
    (
      await statusOf(
        client.chat.completions.create({
          model: 'smolvlm2-tiny',
          messages: videoQuestion('../../etc/hostname', 'What?'),
        }),
      )
    ).status,
    403,
  );
  const unknown = await statusOf(
    client.chat.completions.create({ model: 'gpt-4o', messages: videoQuestion('yoga.mp4', 'What?') }),
  );
  assert.equal(unknown.status, 404);
  assert.equal(unknown.error!.code, 'model_not_found');
  const noVideo = await statusOf(
    client.chat.completions.create({ model: 'smolvlm2-tiny', messages: [{ role: 'user', content: 'Hello' }] }),
  );
  assert.equal(noVideo.status, 400);
  assert.equal(
    (
      await statusOf(
        client.chat.completions.create({
          model: 'smolvlm2-tiny',
          messages: videoQuestion('yoga.mp4', 'What?'),
          vidtok: { budget: 8 },
        } as never),
      )
    ).status,
    413,
    'over the token budget',
  );
  const metrics = await fetch(`${server.url}/metrics`);
  assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
  const exposition = await metrics.text();
  for (const name of [
    'vidtok_serve_requests_total',
    'vidtok_serve_queue_depth',
    'vidtok_serve_prefill_tokens_per_second',
    'vidtok_serve_decode_tokens_per_second',
    'vidtok_serve_time_to_first_token_seconds_bucket',
    'vidtok_serve_context_cache_hits_total',
  ]) {
    assert.ok(exposition.includes(`\n${name}`), `${name} exposed`);
  }
  assert.match(exposition, /vidtok_serve_requests_total\{route="\/v1\/chat\/completions",status="403"\} 3/);
});

test('with an API key: 503 while loading, 401 without the key, 429 when the queue is full, a disconnect stops the generation', async () => {
  const server = await startServer({
    model: smolvlm2Fixture,
    port: 0,
    mediaDirectories: [sharedVideosDir],
    apiKey: 'test-key',
    maxQueue: 1,
  });
  servers.push(server);
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'test-key', maxRetries: 0 });
  const loading = await fetch(`${server.url}/health`, { headers: { Authorization: 'Bearer test-key' } });
  const early = await statusOf(
    client.chat.completions.create({
      model: 'smolvlm2-tiny',
      max_tokens: 1,
      messages: videoQuestion('yoga.mp4', 'What?'),
    }),
  );
  await server.ready;
  // Loading the model (a child process) takes far longer than these two local requests.
  assert.equal(loading.status, 503);
  assert.equal(((await loading.json()) as { status: string }).status, 'loading');
  assert.equal(early.status, 503);
  assert.equal(early.error!.code, 'model_loading');
  assert.equal(early.error!.headers?.get('retry-after'), '5');
  assert.equal((await fetch(`${server.url}/health`, { headers: { Authorization: 'Bearer test-key' } })).status, 200);
  const wrongKey = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'test-kez', maxRetries: 0 });
  assert.equal((await statusOf(wrongKey.models.list())).status, 401);
  assert.equal((await fetch(`${server.url}/metrics`)).status, 401, 'no key, no metrics');

  // A long generation holds the model; one request may wait; the next one is refused with 429.
  const long = await client.chat.completions.create({
    model: 'smolvlm2-tiny',
    stream: true,
    max_tokens: 3000,
    messages: videoQuestion('yoga.mp4', 'Describe everything.'),
  });
  const iterator = long[Symbol.asyncIterator]();
  let received = 0;
  while (received < 5) {
    const next = await iterator.next();
    assert.equal(next.done, false, 'still generating');
    assert.equal(next.value.choices[0]?.finish_reason ?? null, null);
    received += 1;
  }
  const waiting = client.chat.completions.create({
    model: 'smolvlm2-tiny',
    max_tokens: 2,
    messages: videoQuestion('boat.mp4', 'What?'),
  });
  await waitFor(async () => (await metricValue(server, 'vidtok_serve_queue_depth')) === 1, 'one request waiting');
  const overflow = await statusOf(
    client.chat.completions.create({
      model: 'smolvlm2-tiny',
      max_tokens: 2,
      messages: videoQuestion('boat.mp4', 'And?'),
    }),
  );
  assert.equal(overflow.status, 429);
  assert.equal(overflow.error!.code, 'queue_full');
  assert.ok(Number(overflow.error!.headers?.get('retry-after')) >= 1, 'Retry-After in seconds');
  assert.equal(await metricValue(server, 'vidtok_serve_queue_rejected_total'), 1);

  // The client goes away: the generation stops after its current step.
  long.controller.abort();
  await waitFor(
    async () => (await metricValue(server, 'vidtok_serve_generations_cancelled_total')) === 1,
    'the cancelled generation',
  );
  const generatedAtCancel = await metricValue(server, 'vidtok_serve_generated_tokens_total');
  // The waiting request runs next; before it does, nothing more is generated for the cancelled one.
  const answered = await waiting;
  assert.equal(answered.choices.length, 1, 'the same model (runner alive) answers the next request');
  const generatedAfter = await metricValue(server, 'vidtok_serve_generated_tokens_total');
  assert.ok(
    generatedAfter - generatedAtCancel <= 2,
    `only the waiting request's tokens were added (${generatedAtCancel} -> ${generatedAfter})`,
  );
  assert.ok(generatedAtCancel < 3000, `the long answer stopped early (${generatedAtCancel} tokens)`);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(
    await metricValue(server, 'vidtok_serve_generated_tokens_total'),
    generatedAfter,
    'nothing is generated any more',
  );
  assert.equal(await metricValue(server, 'vidtok_serve_active_generations'), 0);
});

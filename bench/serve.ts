/**
 * @file `vidtok serve` benchmark, through the official `openai` client against a live server on an ephemeral port:
 * time to first token (first streamed content chunk, client side) of a second question on the same video against
 * the first question (which decodes, encodes and prefills; target ratio <= 0.2), over three clips; and requests/s
 * for short answers (4 tokens, video context cached) with 1 client (the baseline) and 4 concurrent clients.
 *
 * Model: the random-weight export with SmolVLM2-256M's real dimensions that bench/runtime.ts uses
 * (bench/.work/smolvlm2-256m-random, made by scripts/fixtures/make_fixture_models.py --bench-out; override with
 * VIDTOK_BENCH_SERVE_MODEL); without it the tiny test fixture, and the table says so.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { startServer } from '../src/serve/index.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(benchDir);
const sharedVideos = join(process.env.VIDTOK_SHARED ?? join(repoRoot, '..', 'shared'), 'videos');
const benchModel = join(benchDir, '.work', 'smolvlm2-256m-random');
const fixtureModel = join(repoRoot, 'test', 'fixtures', 'models', 'smolvlm2-tiny');

type Message = OpenAI.Chat.ChatCompletionMessageParam;
const question = (video: string, text: string): Message[] => [
  {
    role: 'user',
    content: [
      { type: 'video_url', video_url: { url: video } } as unknown as OpenAI.Chat.ChatCompletionContentPart,
      { type: 'text', text },
    ],
  },
];

async function timeToFirstToken(
  client: OpenAI,
  model: string,
  messages: Message[],
): Promise<{ milliseconds: number; cache: string }> {
  const startedAt = performance.now();
  const stream = await client.chat.completions.create({ model, stream: true, max_tokens: 4, messages });
  let first = 0;
  let cache = '?';
  for await (const chunk of stream) {
    if (first === 0 && ((chunk.choices[0]?.delta.content ?? '').length > 0 || chunk.choices[0]?.finish_reason))
      first = performance.now();
    const details = (chunk as unknown as { vidtok?: { cache: string } }).vidtok;
    if (details) cache = details.cache;
  }
  return { milliseconds: first - startedAt, cache };
}

async function requestsPerSecond(client: OpenAI, model: string, clients: number, total: number): Promise<number> {
  let next = 0;
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, worker) => {
      while (next < total) {
        const index = next++;
        await client.chat.completions.create({
          model,
          max_tokens: 4,
          messages: question('yoga.mp4', `Short question ${worker}-${index}?`),
        });
      }
    }),
  );
  return total / ((performance.now() - startedAt) / 1000);
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export async function run(): Promise<void> {
  const requested = process.env.VIDTOK_BENCH_SERVE_MODEL ?? benchModel;
  const modelDirectory = existsSync(join(requested, 'config.json')) ? requested : fixtureModel;
  const modelLabel =
    modelDirectory === fixtureModel
      ? 'fixture (tiny; numbers not representative)'
      : modelDirectory === benchModel
        ? 'SmolVLM2-256M dims (random, fp32)'
        : modelDirectory;
  const loadStartedAt = performance.now();
  const server = await startServer({
    model: modelDirectory,
    modelName: 'bench',
    port: 0,
    mediaDirectories: [sharedVideos],
    cacheSize: 8,
  });
  try {
    await server.ready;
    const loadSeconds = (performance.now() - loadStartedAt) / 1000;
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    process.stdout.write(
      `Model: ${modelLabel}, loaded in ${loadSeconds.toFixed(1)} s; pipeline uniform (8 frames); client: the openai npm client, streaming, 4 new tokens.\n\n`,
    );
    process.stdout.write(
      '| clip | first question TTFT ms (baseline: decode + encode + prefill) | second question TTFT ms (cached context) | ratio |\n|---|---:|---:|---:|\n',
    );
    const ratios: number[] = [];
    for (const clip of ['yoga.mp4', 'boat.mp4', 'skateboarding_dog.mp4']) {
      const first = await timeToFirstToken(client, 'bench', question(clip, 'What is happening in the video?'));
      const second = await timeToFirstToken(client, 'bench', question(clip, 'Where does it take place?'));
      if (first.cache !== 'miss' || second.cache !== 'hit')
        throw new Error(`${clip}: expected a miss then a hit, got ${first.cache}, ${second.cache}`);
      ratios.push(second.milliseconds / first.milliseconds);
      process.stdout.write(
        `| ${clip} | ${first.milliseconds.toFixed(0)} | ${second.milliseconds.toFixed(1)} | ${(second.milliseconds / first.milliseconds).toFixed(3)} |\n`,
      );
    }
    process.stdout.write(`\nMedian TTFT ratio second/first: **${median(ratios).toFixed(3)}** (target <= 0.2).\n\n`);
    const total = Number(process.env.VIDTOK_BENCH_SERVE_REQUESTS ?? 24);
    await requestsPerSecond(client, 'bench', 1, 2); // warm
    const single = await requestsPerSecond(client, 'bench', 1, total);
    const four = await requestsPerSecond(client, 'bench', 4, total);
    process.stdout.write(
      `| clients | requests | requests/s (4-token answers, cached video) | vs 1 client |\n|---:|---:|---:|---:|\n`,
    );
    process.stdout.write(
      `| 1 (baseline) | ${total} | ${single.toFixed(1)} | 1.00 |\n| 4 | ${total} | ${four.toFixed(1)} | ${(four / single).toFixed(2)} |\n\n`,
    );
    process.stdout.write(
      'One model serves the queue in order, so 4 clients gain only the overlap of HTTP and JSON work with inference.\n',
    );
  } finally {
    await server.close();
  }
}

/**
 * @file Runtime benchmark: prefill tokens/s, decode tokens/s, time to first token and peak RSS for a video prompt
 * (N frames x 64 visual tokens + SmolVLM2's per-frame text), vidtok's runtime side by side with transformers.js
 * running the same ONNX files (greedy, same prompt ids and pixel values) in the same run. Each contender runs in its
 * own worker process so peak RSS is its own.
 *
 * Model: a random-weight export with SmolVLM2-256M's real dimensions, made once with
 *   /usr/bin/python3 scripts/fixtures/make_fixture_models.py --bench-out bench/.work/smolvlm2-256m-random
 * (override with VIDTOK_BENCH_RUNTIME_MODEL). Without it the tiny test fixture is used and the table says so.
 * Frames: VIDTOK_BENCH_RUNTIME_FRAMES (default 64); new tokens: VIDTOK_BENCH_RUNTIME_TOKENS (default 32).
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(benchDir);
const defaultModel = join(benchDir, '.work', 'smolvlm2-256m-random');
const fixtureModel = join(repoRoot, 'test', 'fixtures', 'models', 'smolvlm2-tiny');

type Contender = 'vidtok-in-process' | 'vidtok-child' | 'transformers.js';

interface Measurement {
  readonly contender: Contender;
  readonly promptTokens: number;
  readonly generatedTokens: number;
  readonly timeToFirstTokenMs: number;
  readonly decodeMs: number;
  readonly peakRssMiB: number;
  /** CPU seconds (all threads of the worker process) until the first token, and after it. */
  readonly prefillCpuSeconds: number;
  readonly decodeCpuSeconds: number;
  readonly tokenIds: readonly number[];
}

/** CPU seconds used by this process so far (user + system, all threads). */
function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

interface WorkerRequest {
  readonly contender: Contender;
  readonly model: string;
  readonly frames: number;
  readonly newTokens: number;
}

function syntheticFrames(count: number) {
  return Array.from({ length: count }, (_, t) => {
    const width = 320;
    const height = 240;
    const data = new Uint8Array(width * height * 3);
    for (let index = 0; index < width * height; index++) {
      data[index * 3] = (index * 7 + t * 40) % 256;
      data[index * 3 + 1] = ((index >> 5) + t * 17) % 256;
      data[index * 3 + 2] = (index * 13 + t * 90) % 256;
    }
    return { width, height, data, pts: t, index: t * 30 };
  });
}

const question = 'Describe this video.';

async function measureVidtok(request: WorkerRequest): Promise<Measurement> {
  const { loadModel } = await import('../src/runtime/index.js');
  const model = await loadModel(request.model, { runner: request.contender === 'vidtok-child' ? 'child' : 'in-process' });
  try {
    const frames = syntheticFrames(request.frames);
    const started = performance.now();
    const cpuStarted = cpuSeconds();
    const grid = await model.encoder().encodeFrames(frames);
    const perFrame = grid.h * grid.w * grid.D;
    const segments = frames.map((frame, t) => ({
      type: 'visual' as const,
      role: 'frames' as const,
      tokens: grid.data.subarray(t * perFrame, (t + 1) * perFrame),
      count: grid.h * grid.w,
      dim: grid.D,
      timestamps: [frame.pts],
      frameIndices: [frame.index],
    }));
    const session = await model.createSession({ dim: grid.D, segments, metadata: { pipeline: 'bench', encoder: model.info.family, params: {} } }, { videoDuration: request.frames });
    let first = 0;
    let last = 0;
    let cpuFirst = 0;
    const generation = session.ask(question, { maxNewTokens: request.newTokens });
    for await (const delta of generation) {
      if (delta.tokenId < 0) continue;
      last = performance.now();
      if (first === 0) {
        first = last;
        cpuFirst = cpuSeconds();
      }
    }
    const cpuEnd = cpuSeconds();
    const result = await generation.result();
    return {
      contender: request.contender,
      promptTokens: session.contextIds.length + session.questionIds(question).length,
      generatedTokens: result.tokenIds.length,
      timeToFirstTokenMs: first - started,
      decodeMs: last - first,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      prefillCpuSeconds: cpuFirst - cpuStarted,
      decodeCpuSeconds: cpuEnd - cpuFirst,
      tokenIds: result.tokenIds,
    };
  } finally {
    await model.dispose();
  }
}

async function measureTransformers(request: WorkerRequest): Promise<Measurement> {
  const { AutoModelForImageTextToText, BaseStreamer, Tensor, env } = await import('@huggingface/transformers');
  const { loadModel } = await import('../src/runtime/index.js');
  const { smolvlm2Family } = await import('../src/models/index.js');
  // Prompt ids from our prompt builder (the same ids vidtok feeds), pixel values from the same preprocessing.
  const ours = await loadModel(request.model, { runner: 'in-process', allowMissingVision: true });
  const frames = syntheticFrames(request.frames);
  const segments = frames.map((frame) => ({
    type: 'visual' as const,
    role: 'frames' as const,
    tokens: new Float32Array(64 * ours.info.hidden),
    count: 64,
    dim: ours.info.hidden,
    timestamps: [frame.pts],
    frameIndices: [frame.index],
  }));
  const stream = { dim: ours.info.hidden, segments, metadata: { pipeline: 'bench', encoder: 'x', params: {} } };
  const options = { videoDuration: request.frames };
  const ids = ours.tokenizer.encode(smolvlm2Family.contextText(stream, ours.tokenizer, options) + smolvlm2Family.questionText(question, ours.tokenizer, options));
  await ours.dispose();
  const side = smolvlm2Family.imageSize;
  env.allowRemoteModels = false;
  env.localModelPath = `${dirname(request.model)}/`;
  const model = await AutoModelForImageTextToText.from_pretrained(basename(request.model), { dtype: 'fp32', device: 'cpu' });
  const stamps: number[] = [];
  const cpuStamps: number[] = [];
  class TimingStreamer extends BaseStreamer {
    override put(): void {
      stamps.push(performance.now());
      cpuStamps.push(cpuSeconds());
    }
    override end(): void {}
  }
  const started = performance.now();
  const cpuStarted = cpuSeconds();
  const pixels = new Float32Array(frames.length * 3 * side * side);
  frames.forEach((frame, index) => smolvlm2Family.writePixels(frame, pixels, index * 3 * side * side));
  const output = (await model.generate({
    input_ids: new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]),
    attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
    pixel_values: new Tensor('float32', pixels, [1, frames.length, 3, side, side]),
    pixel_attention_mask: new Tensor('bool', new Uint8Array(frames.length * side * side).fill(1), [1, frames.length, side, side]),
    max_new_tokens: request.newTokens,
    do_sample: false,
    streamer: new TimingStreamer() as never,
  })) as InstanceType<typeof Tensor>;
  const generated = (output.tolist()[0] as bigint[]).slice(ids.length).map(Number);
  // The first put() is the prompt; the next ones are the generated tokens.
  const tokenStamps = stamps.slice(1);
  await model.dispose();
  return {
    contender: 'transformers.js',
    promptTokens: ids.length,
    generatedTokens: generated.length,
    timeToFirstTokenMs: tokenStamps[0]! - started,
    decodeMs: tokenStamps.at(-1)! - tokenStamps[0]!,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    prefillCpuSeconds: cpuStamps[1]! - cpuStarted,
    decodeCpuSeconds: cpuStamps.at(-1)! - cpuStamps[1]!,
    tokenIds: generated,
  };
}

function runWorker(request: WorkerRequest): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--worker'], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30 * 60_000);
    let result: Measurement | undefined;
    child.on('message', (message: Measurement | { error: string }) => {
      if ('error' in message) reject(new Error(message.error));
      else result = message;
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (result) resolve(result);
      else reject(new Error(`${request.contender} worker exited (${signal ?? code})`));
    });
    child.send(request);
  });
}

const format = (value: number, digits = 1): string => value.toFixed(digits);

export async function run(): Promise<void> {
  const requested = process.env.VIDTOK_BENCH_RUNTIME_MODEL ?? defaultModel;
  const model = existsSync(join(requested, 'config.json')) ? requested : fixtureModel;
  const frames = Number(process.env.VIDTOK_BENCH_RUNTIME_FRAMES ?? 64);
  const newTokens = Number(process.env.VIDTOK_BENCH_RUNTIME_TOKENS ?? 32);
  if (model === fixtureModel) {
    process.stdout.write(`No benchmark model at ${requested}; using the tiny test fixture (numbers are not representative). Make one with\n\`/usr/bin/python3 scripts/fixtures/make_fixture_models.py --bench-out ${requested}\`.\n\n`);
  }
  const rounds = Math.max(1, Number(process.env.VIDTOK_BENCH_RUNTIME_ROUNDS ?? 1));
  const contenders: Contender[] = ['transformers.js', 'vidtok-in-process', 'vidtok-child'];
  const byContender = new Map<Contender, Measurement[]>(contenders.map((contender) => [contender, []]));
  for (let round = 0; round < rounds; round++) {
    // Alternate the order so a load change on the shared machine does not always hit the same contender.
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const contender of order) byContender.get(contender)!.push(await runWorker({ contender, model, frames, newTokens }));
  }
  const median = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  };
  const baselineIds = byContender.get('transformers.js')![0]!.tokenIds.join(',');
  process.stdout.write(
    `Model: ${basename(model)} (random weights), ${frames} frames, fp32, CPU; greedy, ${newTokens} new tokens; median of ${rounds} round(s), contenders alternating. ` +
      'Prefill = pixels to first token (vision encoder + embed + decoder). CPU columns count all threads of the worker process (not the child runner\'s), so they hold under machine contention where wall times do not.\n\n',
  );
  process.stdout.write(
    '| runtime | prompt tokens | time to first token (ms) | prefill tok/s | decode tok/s | prefill CPU s | decode CPU ms/token | peak RSS (MiB) | same ids as transformers.js |\n|---|---|---|---|---|---|---|---|---|\n',
  );
  for (const contender of contenders) {
    const results = byContender.get(contender)!;
    const first = results[0]!;
    const ttft = median(results.map((result) => result.timeToFirstTokenMs));
    const decodeRate = median(results.map((result) => (result.generatedTokens > 1 ? ((result.generatedTokens - 1) * 1000) / result.decodeMs : 0)));
    const child = contender === 'vidtok-child';
    const prefillCpu = child ? 'n/a' : format(median(results.map((result) => result.prefillCpuSeconds)));
    const decodeCpu = child ? 'n/a' : format(median(results.map((result) => (result.decodeCpuSeconds * 1000) / Math.max(1, result.generatedTokens - 1))));
    const rss = format(Math.max(...results.map((result) => result.peakRssMiB)), 0) + (child ? ' (parent only)' : '');
    const same = results.every((result) => result.tokenIds.join(',') === baselineIds) ? 'yes' : 'no';
    process.stdout.write(
      `| ${contender}${contender === 'transformers.js' ? ' (baseline)' : ''} | ${first.promptTokens} | ${format(ttft, 0)} | ${format((first.promptTokens * 1000) / ttft)} | ${format(decodeRate)} | ${prefillCpu} | ${decodeCpu} | ${rss} | ${same} |\n`,
    );
  }
}

if (process.argv.includes('--worker')) {
  process.once('message', (request: WorkerRequest) => {
    const measure = request.contender === 'transformers.js' ? measureTransformers : measureVidtok;
    measure(request).then(
      (result) => process.send!(result, () => process.exit(0)),
      (error: unknown) => process.send!({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1)),
    );
  });
}

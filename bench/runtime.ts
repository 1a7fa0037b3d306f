/**
 * @file Runtime benchmark: a video prompt (N frames x 64 visual tokens + SmolVLM2's per-frame text) through vidtok's
 * runtime and through transformers.js on the same ONNX files, for each dtype variant (fp32, fp16, q8, q4): vision
 * encoding per frame, prefill (embed + decoder over the prompt, vision excluded) and decode reported separately, and
 * decode against the memory limit: the bytes one decode step must read (decoder weights + the KV cache at the decode
 * context) divided by this machine's copy bandwidth, measured in the same run. Each contender runs in its own worker
 * process so peak RSS is its own; vidtok runs with its child runner, as the CLI does.
 *
 * Model: a random-weight export with SmolVLM2-256M's real dimensions, vision tower included, made once with
 *   /usr/bin/python3 scripts/fixtures/make_fixture_models.py --bench-out bench/.work/smolvlm2-256m-random
 * (override with VIDTOK_BENCH_RUNTIME_MODEL). Without it the tiny test fixture is used and the table says so.
 * Frames: VIDTOK_BENCH_RUNTIME_FRAMES (default 64); new tokens: VIDTOK_BENCH_RUNTIME_TOKENS (default 32);
 * variants: VIDTOK_BENCH_RUNTIME_VARIANTS (default fp32,fp16,q8,int8,q4; those whose files are missing are skipped).
 */
import { fork } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(benchDir);
const defaultModel = join(benchDir, '.work', 'smolvlm2-256m-random');
const fixtureModel = join(repoRoot, 'test', 'fixtures', 'models', 'smolvlm2-tiny');

/**
 * `vidtok` runs with its defaults (quantizedCompute `auto`: 8-bit MatMulNBits with int8 activations);
 * `vidtok-exported` keeps every MatMulNBits node as the file has it (like-for-like with transformers.js);
 * `vidtok-int8` raises 4-bit nodes to int8 activations too.
 */
type Contender = 'vidtok' | 'vidtok-exported' | 'vidtok-int8' | 'vidtok-in-process' | 'transformers.js';
const quantizedComputeOf = { 'vidtok-exported': 'exported', 'vidtok-int8': 'int8' } as const;
type GraphName = 'embed_tokens' | 'vision_encoder' | 'decoder_model_merged';
type Dtypes = Record<GraphName, string>;

/** The graph files each variant loads (the same files for both contenders); the bench models have no fp16 vision. */
const variants: Record<string, Dtypes> = {
  fp32: { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'fp32' },
  fp16: { embed_tokens: 'fp16', vision_encoder: 'fp32', decoder_model_merged: 'fp16' },
  q8: { embed_tokens: 'fp32', vision_encoder: 'q8', decoder_model_merged: 'q8' },
  int8: { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'int8' },
  q4: { embed_tokens: 'q4', vision_encoder: 'q4', decoder_model_merged: 'q4' },
};
const suffixes: Record<string, string> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  q4: '_q4',
  q4f16: '_q4f16',
};

interface Measurement {
  readonly contender: Contender;
  readonly promptTokens: number;
  readonly generatedTokens: number;
  readonly visionMs: number;
  readonly timeToFirstTokenMs: number;
  /** Milliseconds between the first and the last generated token. */
  readonly decodeMs: number;
  readonly peakRssMiB: number;
  readonly tokenIds: readonly number[];
}

interface WorkerRequest {
  readonly contender: Contender;
  readonly model: string;
  readonly dtypes: Dtypes;
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
  const model = await loadModel(request.model, {
    runner: request.contender === 'vidtok-in-process' ? 'in-process' : 'child',
    dtype: request.dtypes as never,
    quantizedCompute:
      request.contender === 'vidtok-exported' || request.contender === 'vidtok-int8'
        ? quantizedComputeOf[request.contender]
        : 'auto',
  });
  try {
    const frames = syntheticFrames(request.frames);
    const started = performance.now();
    const grid = await model.encoder().encodeFrames(frames);
    const visionMs = performance.now() - started;
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
    const session = await model.createSession(
      { dim: grid.D, segments, metadata: { pipeline: 'bench', encoder: model.info.family, params: {} } },
      { videoDuration: request.frames },
    );
    let first = 0;
    let last = 0;
    const generation = session.ask(question, { maxNewTokens: request.newTokens });
    for await (const delta of generation) {
      if (delta.tokenId < 0) continue;
      last = performance.now();
      if (first === 0) first = last;
    }
    const result = await generation.result();
    return {
      contender: request.contender,
      promptTokens: session.contextIds.length + session.questionIds(question).length,
      generatedTokens: result.tokenIds.length,
      visionMs,
      timeToFirstTokenMs: first - started,
      decodeMs: last - first,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
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
  const ids = ours.tokenizer.encode(
    smolvlm2Family.contextText(stream, ours.tokenizer, options) +
      smolvlm2Family.questionText(question, ours.tokenizer, options),
  );
  await ours.dispose();
  const side = smolvlm2Family.imageSize;
  env.allowRemoteModels = false;
  env.localModelPath = `${dirname(request.model)}/`;
  const model = await AutoModelForImageTextToText.from_pretrained(basename(request.model), {
    dtype: request.dtypes as never,
    device: 'cpu',
  });
  // Time the vision encoder's runs inside generate() by wrapping its onnxruntime session.
  let visionMs = 0;
  const sessions = (model as unknown as { sessions: Record<string, { run: (...args: unknown[]) => Promise<unknown> }> })
    .sessions;
  const vision = sessions.vision_encoder;
  if (vision) {
    const run = vision.run.bind(vision);
    vision.run = async (...args: unknown[]) => {
      const began = performance.now();
      try {
        return await run(...args);
      } finally {
        visionMs += performance.now() - began;
      }
    };
  }
  const stamps: number[] = [];
  class TimingStreamer extends BaseStreamer {
    override put(): void {
      stamps.push(performance.now());
    }
    override end(): void {}
  }
  const started = performance.now();
  // Preprocessing counts as vision, as vidtok's encodeFrames includes its own.
  const pixels = new Float32Array(frames.length * 3 * side * side);
  frames.forEach((frame, index) => smolvlm2Family.writePixels(frame, pixels, index * 3 * side * side));
  visionMs += performance.now() - started;
  const output = (await model.generate({
    input_ids: new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]),
    attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
    pixel_values: new Tensor('float32', pixels, [1, frames.length, 3, side, side]),
    pixel_attention_mask: new Tensor('bool', new Uint8Array(frames.length * side * side).fill(1), [
      1,
      frames.length,
      side,
      side,
    ]),
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
    visionMs,
    timeToFirstTokenMs: tokenStamps[0]! - started,
    decodeMs: tokenStamps.at(-1)! - tokenStamps[0]!,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    tokenIds: generated,
  };
}

function runWorker(request: WorkerRequest): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--worker'], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
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

/** Bytes per second this machine copies between two 256 MiB buffers (best of 5), the memory limit's yardstick. */
export function copyBandwidth(): number {
  const bytes = 256 * 1024 * 1024;
  const source = new Uint8Array(bytes).fill(7);
  const target = new Uint8Array(bytes);
  target.set(source);
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const began = performance.now();
    target.set(source);
    best = Math.min(best, performance.now() - began);
  }
  return (bytes * 1000) / best;
}

/** Size on disk of one graph (the .onnx file and its external data). */
export function graphBytes(model: string, graph: GraphName, dtype: string): number {
  const name = `${graph}${suffixes[dtype] ?? ''}.onnx`;
  return readdirSync(join(model, 'onnx'))
    .filter((entry) => entry === name || entry.startsWith(`${name}_data`))
    .reduce((sum, entry) => sum + statSync(join(model, 'onnx', entry)).size, 0);
}

/** KV-cache bytes per token of context: 2 (key, value) x layers x KV heads x head dim x element size. */
async function kvBytesPerToken(model: string, dtypes: Dtypes): Promise<number> {
  const { loadModel } = await import('../src/runtime/index.js');
  const loaded = await loadModel(model, { runner: 'in-process', dtype: dtypes as never, allowMissingVision: true });
  try {
    const past = loaded.graphs.decoder.inputs.find((port) => port.name === 'past_key_values.0.key');
    const element = past?.type === 'float16' ? 2 : 4;
    const shape = loaded.graphs.decoderShape;
    return 2 * shape.layers * shape.kvHeads * shape.headDim * element;
  } finally {
    await loaded.dispose();
  }
}

const format = (value: number, digits = 1): string => value.toFixed(digits);

export async function run(): Promise<void> {
  const requested = process.env.VIDTOK_BENCH_RUNTIME_MODEL ?? defaultModel;
  const model = existsSync(join(requested, 'config.json')) ? requested : fixtureModel;
  const frames = Number(process.env.VIDTOK_BENCH_RUNTIME_FRAMES ?? 64);
  const newTokens = Number(process.env.VIDTOK_BENCH_RUNTIME_TOKENS ?? 32);
  if (model === fixtureModel) {
    process.stdout.write(
      `No benchmark model at ${requested}; using the tiny test fixture (numbers are not representative). Make one with\n\`/usr/bin/python3 scripts/fixtures/make_fixture_models.py --bench-out ${requested}\`.\n\n`,
    );
  }
  const wanted = (process.env.VIDTOK_BENCH_RUNTIME_VARIANTS ?? 'fp32,fp16,q8,int8,q4')
    .split(',')
    .map((name) => name.trim());
  const chosen = wanted.filter((name) => {
    const dtypes = variants[name];
    return (
      dtypes !== undefined &&
      (Object.entries(dtypes) as [GraphName, string][]).every(([graph, dtype]) => graphBytes(model, graph, dtype) > 0)
    );
  });
  const skipped = wanted.filter((name) => !chosen.includes(name));
  const contenders: Contender[] =
    process.env.VIDTOK_BENCH_RUNTIME_IN_PROCESS === '1'
      ? ['transformers.js', 'vidtok', 'vidtok-in-process']
      : ['transformers.js', 'vidtok'];
  // The machine is shared: the copy bandwidth is measured before every variant and the best figure is the yardstick
  // (the least contended one; a contended figure would flatter every step).
  const bandwidths = [copyBandwidth()];
  const bandwidth = (): number => Math.max(...bandwidths);
  const visionLayers =
    (JSON.parse(readFileSync(join(model, 'config.json'), 'utf8')) as { vision_config?: { num_hidden_layers?: number } })
      .vision_config?.num_hidden_layers ?? 0;
  const tower =
    visionLayers > 0
      ? `vision tower of ${visionLayers} layers`
      : 'NO vision transformer layers (old bench model: vision figures leave out its cost)';
  process.stdout.write(
    `Model: ${basename(model)} (random weights, ${tower}), ${frames} frames, CPU (${(await import('node:os')).cpus().length} cores); greedy, ${newTokens} new tokens; ` +
      'one run per contender and variant, the contenders alternating. Vision = the vision encoder over the frames (per frame); prefill = time to first token minus vision ' +
      '(embed + decoder over the prompt); decode = the steps after the first token. Memory limit = (decoder weights + KV cache at the mean decode context) / copy bandwidth ' +
      '(the best of the copies of 256 MiB measured before each variant in this run; see the line under the table). ' +
      (skipped.length > 0 ? `Skipped (files missing): ${skipped.join(', ')}. ` : '') +
      '\n\n',
  );
  process.stdout.write(
    '| variant (embed / vision / decoder) | runtime | prompt tokens | vision ms/frame | prefill tok/s | decode tok/s | decode ms/step | memory-limit ms/step | x limit | vs transformers.js (prefill / decode) | peak RSS (MiB) | same ids |\n' +
      '|---|---|---|---|---|---|---|---|---|---|---|---|\n',
  );
  let order = contenders;
  const measured: {
    name: string;
    dtypes: Dtypes;
    results: Map<Contender, Measurement>;
    weights: number;
    perToken: number;
  }[] = [];
  // The quantized variants add vidtok with the other MatMulNBits settings: q8 as exported (what transformers.js
  // runs), q4 with int8 activations (auto keeps 4-bit nodes as exported).
  const extraContender: Record<string, Contender> = { q8: 'vidtok-exported', q4: 'vidtok-int8' };
  const contendersOf = (name: string): Contender[] =>
    extraContender[name] === undefined ? contenders : [...contenders, extraContender[name]];
  for (const name of chosen) {
    const dtypes = variants[name]!;
    bandwidths.push(copyBandwidth());
    const results = new Map<Contender, Measurement>();
    const extra = extraContender[name];
    for (const contender of extra === undefined ? order : [...order, extra])
      results.set(contender, await runWorker({ contender, model, dtypes, frames, newTokens }));
    order = [...order].reverse();
    measured.push({
      name,
      dtypes,
      results,
      weights: graphBytes(model, 'decoder_model_merged', dtypes.decoder_model_merged),
      perToken: await kvBytesPerToken(model, dtypes),
    });
  }
  for (const { name, dtypes, results, weights, perToken } of measured) {
    const baseline = results.get('transformers.js')!;
    const rates = (measurement: Measurement) => {
      const prefillMs = measurement.timeToFirstTokenMs - measurement.visionMs;
      const steps = Math.max(1, measurement.generatedTokens - 1);
      return {
        prefill: (measurement.promptTokens * 1000) / prefillMs,
        stepMs: measurement.decodeMs / steps,
        decode: (steps * 1000) / measurement.decodeMs,
      };
    };
    const base = rates(baseline);
    for (const contender of contendersOf(name)) {
      const measurement = results.get(contender)!;
      const rate = rates(measurement);
      const meanContext = measurement.promptTokens + measurement.generatedTokens / 2;
      const limitMs = ((weights + perToken * meanContext) * 1000) / bandwidth();
      const versus =
        contender === 'transformers.js'
          ? 'baseline'
          : `${format(rate.prefill / base.prefill, 2)}x / ${format(rate.decode / base.decode, 2)}x`;
      const same = measurement.tokenIds.join(',') === baseline.tokenIds.join(',') ? 'yes' : 'no';
      process.stdout.write(
        `| ${name} (${dtypes.embed_tokens} / ${dtypes.vision_encoder} / ${dtypes.decoder_model_merged}) | ${contender} | ${measurement.promptTokens} | ${format(measurement.visionMs / frames, 0)} | ` +
          `${format(rate.prefill)} | ${format(rate.decode)} | ${format(rate.stepMs)} | ${format(limitMs)} | ${format(rate.stepMs / limitMs, 2)} | ${versus} | ${format(measurement.peakRssMiB, 0)}${contender === 'vidtok' || contender === 'vidtok-exported' || contender === 'vidtok-int8' ? ' (parent)' : ''} | ${same} |\n`,
      );
    }
  }
  process.stdout.write(
    `\nCopy bandwidth measured before each variant: ${bandwidths.map((value) => format(value / 1e9)).join(', ')} GB/s; the limit uses ${format(bandwidth() / 1e9)} GB/s.`,
  );
  process.stdout.write(
    `\nDecoder weights read per step: ${chosen.map((name) => `${name} ${format(graphBytes(model, 'decoder_model_merged', variants[name]!.decoder_model_merged) / 1e6, 0)} MB`).join(', ')}.\n`,
  );
}

if (process.argv.includes('--worker')) {
  process.once('message', (request: WorkerRequest) => {
    const measure = request.contender === 'transformers.js' ? measureTransformers : measureVidtok;
    measure(request).then(
      (result) => process.send!(result, () => process.exit(0)),
      (error: unknown) =>
        process.send!({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () =>
          process.exit(1),
        ),
    );
  });
}

/**
 * @file Decode step against the memory limit, by context length: for each decoder variant of the bench model, one
 * decode step through vidtok's engine (in-process: the step alone, no IPC) at several context lengths, beside the
 * fastest step the memory allows (decoder weights + the KV cache at that length, read once, over this machine's copy
 * bandwidth measured in the same run). Both wall time and process CPU time are given: on a shared machine the CPU
 * time is the steadier figure. The step at the shortest context shows how close the weight reads come to the limit;
 * the growth with the context shows what the graph's attention costs per KV byte. As exported, the SmolVLM2 graph
 * concatenates past and new keys and expands 3 KV heads to 9 query heads every step, and onnxruntime-node copies the
 * whole new cache out, so it touches the cache several times; vidtok's buffered attention
 * (src/runtime/buffered-attention.ts) reads it once, where it lies.
 *
 * Model: bench/.work/smolvlm2-256m-random (see bench/runtime.ts); VIDTOK_BENCH_ANATOMY_VARIANTS (default
 * fp32,fp32-exported,gqa-fp32,gqa-fp32-concat,fp16,q8,q8-attention-exported,q8-exported,int8,q4; the gqa ones need
 * `/usr/bin/python3 scripts/fixtures/make_fixture_models.py --bench-out bench/.work/smolvlm2-256m-gqa
 * --bench-gqa-from bench/.work/smolvlm2-256m-random`) and VIDTOK_BENCH_ANATOMY_CONTEXTS (default 128,1024,2048,4096,4909) narrow it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyBandwidth, graphBytes } from './runtime.js';

const benchModel = join(import.meta.dirname, '.work', 'smolvlm2-256m-random');
/** The same dims in the newer export style (GroupQueryAttention, no position_ids), made with --bench-gqa-from. */
const gqaModel = join(import.meta.dirname, '.work', 'smolvlm2-256m-gqa');

interface Variant {
  readonly dtype: 'fp32' | 'fp16' | 'q8' | 'int8' | 'q4';
  readonly quantizedCompute: 'auto' | 'exported';
  readonly label: string;
  /** Another model directory (default the bench model). */
  readonly directory?: string;
  /**
   * Decode steps append to preallocated KV buffers where the graph allows it, and an older-style decoder runs with
   * buffered attention (default true).
   */
  readonly inPlaceKvCache?: boolean;
}

const variants: Record<string, Variant> = {
  fp32: { dtype: 'fp32', quantizedCompute: 'auto', label: 'fp32, buffered attention (vidtok default)' },
  'fp32-exported': {
    dtype: 'fp32',
    quantizedCompute: 'auto',
    label: 'fp32, attention as exported (concatenated every step; transformers.js)',
    inPlaceKvCache: false,
  },
  fp16: { dtype: 'fp16', quantizedCompute: 'auto', label: 'fp16, buffered attention' },
  q8: { dtype: 'q8', quantizedCompute: 'auto', label: 'q8, int8 activations, buffered attention (vidtok default)' },
  'q8-attention-exported': {
    dtype: 'q8',
    quantizedCompute: 'auto',
    label: 'q8, int8 activations, attention as exported',
    inPlaceKvCache: false,
  },
  'q8-exported': {
    dtype: 'q8',
    quantizedCompute: 'exported',
    label: 'q8 as exported (transformers.js)',
    inPlaceKvCache: false,
  },
  int8: { dtype: 'int8', quantizedCompute: 'auto', label: 'int8 (MatMulInteger), buffered attention' },
  q4: { dtype: 'q4', quantizedCompute: 'auto', label: 'q4 (4-bit nodes as exported), buffered attention' },
  // Its file stores the weights as float16 with Casts that onnxruntime folds at load: float32 in memory, as fp32.
  'gqa-fp32': {
    dtype: 'fp32',
    quantizedCompute: 'auto',
    label: 'fp32, GroupQueryAttention export, in-place KV (vidtok default)',
    directory: gqaModel,
  },
  'gqa-fp32-concat': {
    dtype: 'fp32',
    quantizedCompute: 'auto',
    label: 'fp32, GroupQueryAttention export, KV concatenated each step',
    directory: gqaModel,
    inPlaceKvCache: false,
  },
};

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function run(): Promise<void> {
  if (!existsSync(join(benchModel, 'config.json'))) {
    process.stdout.write(
      `No bench model at ${benchModel}: make it with \`/usr/bin/python3 scripts/fixtures/make_fixture_models.py --bench-out ${benchModel}\`.\n`,
    );
    return;
  }
  const { createModelEngine } = await import('../src/runtime/model-engine.js');
  const { locateModelFiles } = await import('../src/runtime/model-files.js');
  const names = (
    process.env.VIDTOK_BENCH_ANATOMY_VARIANTS ??
    'fp32,fp32-exported,gqa-fp32,gqa-fp32-concat,fp16,q8,q8-attention-exported,q8-exported,int8,q4'
  ).split(',');
  const contexts = (process.env.VIDTOK_BENCH_ANATOMY_CONTEXTS ?? '128,1024,2048,4096,4909').split(',').map(Number);
  const steps = 5;
  const config = JSON.parse(readFileSync(join(benchModel, 'config.json'), 'utf8')) as {
    text_config: { vocab_size: number };
  };
  const bandwidths = [copyBandwidth()];
  const rows: string[] = [];
  for (const name of names) {
    const variant = variants[name.trim()];
    const directory = variant?.directory ?? benchModel;
    if (variant === undefined || !existsSync(join(directory, 'config.json'))) continue;
    bandwidths.push(copyBandwidth());
    // The engine alone (no vision encoder, no tokenizer): what one decode step costs.
    const runner = createModelEngine({ inPlaceKvCache: variant.inPlaceKvCache ?? true });
    const files = locateModelFiles(directory, { dtype: { decoder_model_merged: variant.dtype }, requireVision: false });
    const { vision_encoder: _vision, ...graphsWithoutVision } = files.graphs;
    const graphs = await runner.load({
      files: { ...files, graphs: graphsWithoutVision },
      quantizedCompute: variant.quantizedCompute,
    });
    try {
      const shape = graphs.decoderShape;
      const past = graphs.decoder.inputs.find((port) => port.name.startsWith('past_key_values'));
      const kvPerToken = 2 * shape.layers * shape.kvHeads * shape.headDim * (past?.type === 'float16' ? 2 : 4);
      const weights = graphBytes(benchModel, 'decoder_model_merged', variant.dtype);
      // Plain text ids (no visual rows): the decoder's cost does not depend on what the positions hold.
      const ids = Int32Array.from({ length: Math.max(...contexts) }, (_, index) => ((index * 7919) % 1000) + 100);
      let length = 0;
      let previous: string | undefined;
      for (const context of contexts) {
        const name = `anatomy-${context}`;
        await runner.prefill({
          context: name,
          ...(previous === undefined ? {} : { base: previous }),
          inputIds: ids.subarray(length, context),
          placeholderIds: [],
          visualRows: new Float32Array(0),
          chunkSize: 512,
        });
        length = context;
        const walls: number[] = [];
        const cpus: number[] = [];
        const branch = `${name}-steps`;
        await runner.prefill({
          context: branch,
          base: name,
          inputIds: Int32Array.of(101),
          placeholderIds: [],
          visualRows: new Float32Array(0),
          chunkSize: 1,
        });
        for (let step = 0; step < steps; step++) {
          const cpuBefore = process.cpuUsage();
          const began = performance.now();
          await runner.step({ context: branch, tokenId: 100 + step });
          walls.push(performance.now() - began);
          const used = process.cpuUsage(cpuBefore);
          cpus.push((used.user + used.system) / 1000);
        }
        await runner.release(branch);
        if (previous !== undefined) await runner.release(previous);
        previous = name;
        const limitMs = ((weights + kvPerToken * (context + 1 + steps / 2)) * 1000) / Math.max(...bandwidths);
        const wall = median(walls);
        const cpu = median(cpus);
        rows.push(
          `| ${variant.label} | ${context} | ${(weights / 1e6).toFixed(0)} + ${((kvPerToken * context) / 1e6).toFixed(0)} | ${limitMs.toFixed(1)} | ${wall.toFixed(1)} | ${(wall / limitMs).toFixed(2)} | ${cpu.toFixed(1)} |`,
        );
      }
      if (previous !== undefined) await runner.release(previous);
    } finally {
      await runner.dispose();
    }
  }
  process.stdout.write(
    `Model: ${benchModel} (SmolVLM2-256M dims, random weights, vocabulary ${config.text_config.vocab_size}); one decode step through the in-process engine, median of ${steps}; ` +
      `memory limit = (decoder weights + KV cache at the context) / copy bandwidth (best of ${bandwidths.map((value) => (value / 1e9).toFixed(1)).join(', ')} GB/s). ` +
      'CPU ms = the process CPU time of the step (onnxruntime threads included; steadier than wall time on a shared machine).\n\n' +
      '| decoder | context | MB read (weights + KV) | memory-limit ms/step | step ms | x limit | step CPU ms |\n' +
      '|---|---:|---:|---:|---:|---:|---:|\n' +
      `${rows.join('\n')}\n`,
  );
}

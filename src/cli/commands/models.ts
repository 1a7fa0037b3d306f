/**
 * @file `vidtok models pull|list|rm|check`: fetch a model export from the Hugging Face hub (or a mirror) into the
 * cache, show what is cached, remove a model, and check that vidtok drives an export correctly (graph I/O and
 * operators, tokenizer round trip, chunked vs one-call prefill, a short greedy answer, time per stage; exit 8 when a
 * check fails). Progress goes to stderr: a bar on a terminal, JSON lines otherwise; results go to stdout (`--json`
 * for machine-readable output).
 */
import { ExitCode } from '../../errors/exit-codes.js';
import { UsageError } from '../../errors/index.js';
import type { PullProgressEvent } from '../../hub/index.js';
import { modelAliases } from '../../hub/model-aliases.js';
import { formatDtypes, isModelDtype, isModelGraph, modelGraphs } from '../../hub/model-dtypes.js';
import type { DtypeChoice, ModelCheckReport } from '../../runtime/index.js';
import { defineCommand, type CommandContext } from '../command.js';
import {
  type CommandArguments,
  defineOptions,
  definePositionals,
  modelOptions,
  outputOptions,
} from '../options/index.js';

const actions = ['pull', 'list', 'rm', 'check'] as const;

const modelsPositionals = definePositionals({
  action: { choices: actions, demandOption: true, describe: 'pull, list, rm or check' },
  model: {
    type: 'string',
    describe: 'An alias (smolvlm2-256m), a hub repository id (owner/name), or (check) an export directory',
  },
});

const modelsOptions = defineOptions({
  dtype: {
    ...modelOptions.dtype,
    describe: 'pull/check: dtype for every graph (fp32, fp16, q4, q4f16, int8, uint8, q8, bnb4) or graph=dtype pairs',
  },
  'quantized-compute': {
    ...modelOptions['quantized-compute'],
    describe: 'check: how MatMulNBits graphs compute on the CPU (auto, int8 or exported; see docs/runtime.md)',
  },
  revision: { type: 'string', describe: 'pull/rm: branch, tag, commit or refs/pr/N (default main)' },
  'cache-dir': { type: 'string', describe: 'Cache root (default VIDTOK_CACHE_DIR, then ~/.cache/vidtok/models)' },
  json: { ...outputOptions.json, describe: 'Print results as JSON on stdout' },
  aliases: { type: 'boolean', default: false, describe: 'list: show the known aliases and default dtypes too' },
});

type ModelsArguments = CommandArguments<typeof modelsPositionals, typeof modelsOptions>;

export const modelsCommand = defineCommand({
  command: 'models <action> [model]',
  describe: 'Manage cached models: pull from the hub, list, remove, check an export',
  usage: [
    '$0 models pull <alias|owner/name> [--dtype q4] [--revision main]',
    '    download into the cache (resumable, checksum-verified, atomic)',
    '$0 models list [--json] [--aliases]',
    '    what is cached, with sizes and the dtypes present per graph',
    '$0 models rm <alias|owner/name> [--revision r]',
    '    remove from the cache',
    '$0 models check <dir|alias|owner/name> [--dtype q4] [--json]',
    '    confirm vidtok drives an export: graph I/O, tokenizer, chunked prefill, a greedy answer, timings',
    '',
    `Aliases: ${modelAliases.map((entry) => `${entry.alias} (${entry.repositoryId})`).join(', ')}.`,
    'The hub is HF_ENDPOINT (default https://huggingface.co); HF_TOKEN is sent as a Bearer token to it only.',
    'The cache is --cache-dir, else VIDTOK_CACHE_DIR, else ~/.cache/vidtok/models.',
  ].join('\n'),
  positionals: modelsPositionals,
  options: modelsOptions,
  examples: [
    ['$0 models pull smolvlm2-256m', 'Embed fp16, vision q4, decoder q4 (about 208 MB)'],
    ['$0 models pull smolvlm2-500m --dtype q8', 'Every graph at q8 (_quantized files)'],
    ['$0 models pull smolvlm2-256m --dtype vision_encoder=fp16', 'Override one graph, keep the other defaults'],
    ['HF_ENDPOINT=https://mirror.example $0 models pull llava-onevision-0.5b', 'Pull through a mirror'],
    ['$0 models list --json', 'Cached models as JSON'],
    ['$0 models rm smolvlm2-256m', 'Remove every cached revision'],
    ['$0 models check ./SmolVLM2-256M-Video-Instruct --dtype q4f16', 'Check a local export with its q4f16 graphs'],
  ],
  run: async (args, context) => {
    const cacheOptions = args['cache-dir'] === undefined ? {} : { cacheDirectory: args['cache-dir'] };
    if (args.action === 'list') return listAction(args, context, cacheOptions);
    if (args.model === undefined) throw new UsageError(`models ${args.action}: name a model (an alias or owner/name)`);
    if (args.action === 'check') return checkAction(args, context, cacheOptions);
    // Loaded here, not at the top: the command registry must not load the hub client for every command.
    const { pullModel, removeCachedModel } = await import('../../hub/index.js');
    if (args.action === 'rm') {
      const removed = await removeCachedModel(args.model, {
        ...cacheOptions,
        ...(args.revision ? { revision: args.revision } : {}),
      });
      context.stdout.write(
        args.json
          ? `${JSON.stringify(removed)}\n`
          : `removed ${removed.repositoryId} (${formatBytes(removed.freedBytes)}) from ${removed.removedDirectory}\n`,
      );
      return 0;
    }
    const progress = context.interactive ? new ProgressBar(context.stderr) : new JsonProgress(context.stderr);
    try {
      const result = await pullModel(args.model, {
        ...cacheOptions,
        ...(args.dtype ? { dtype: args.dtype } : {}),
        ...(args.revision ? { revision: args.revision } : {}),
        signal: context.signal,
        onProgress: (event) => progress.update(event),
      });
      progress.finish();
      if (args.json) {
        context.stdout.write(`${JSON.stringify({ ...result, dtypes: formatDtypes(result.dtypes) })}\n`);
      } else {
        const verb = result.upToDate ? 'up to date' : `pulled ${formatBytes(result.downloadedBytes)}`;
        context.stdout.write(
          `${result.repositoryId}@${result.revision} (${formatDtypes(result.dtypes)}): ${verb}\n${result.directory}\n`,
        );
      }
      return 0;
    } finally {
      progress.finish();
    }
  },
});

async function listAction(
  args: ModelsArguments,
  context: CommandContext,
  cacheOptions: { cacheDirectory?: string },
): Promise<number> {
  const { listCachedModels } = await import('../../hub/index.js');
  const listing = await listCachedModels(cacheOptions);
  if (args.json) {
    context.stdout.write(
      `${JSON.stringify({ ...listing, ...(args.aliases ? { aliases: modelAliases } : {}) }, null, 2)}\n`,
    );
    return 0;
  }
  const out = context.stdout;
  out.write(`cache: ${listing.cacheDirectory}\n`);
  if (listing.models.length === 0) out.write('no models cached; run: vidtok models pull smolvlm2-256m\n');
  for (const model of listing.models) {
    const name = model.alias ? `${model.alias} (${model.repositoryId})` : model.repositoryId;
    const dtypes = modelGraphs.map((graph) => `${graph}=${model.dtypes[graph].join('|') || '-'}`).join(' ');
    out.write(
      `${name}@${model.revision}  ${formatBytes(model.sizeBytes)}  ${dtypes}${model.complete ? '' : '  (incomplete: a graph is missing)'}\n`,
    );
  }
  for (const partial of listing.incomplete) {
    out.write(
      `${partial.repositoryId}@${partial.revision}  ${formatBytes(partial.sizeBytes)} of an unfinished pull (run the pull again to resume)\n`,
    );
  }
  if (args.aliases) {
    out.write('aliases:\n');
    for (const entry of modelAliases)
      out.write(
        `  ${entry.alias}  ${entry.repositoryId}  --dtype ${formatDtypes(entry.defaultDtypes)}  ${entry.description}\n`,
      );
  }
  return 0;
}

/** `--dtype` for check: one dtype, or graph=dtype pairs (graphs left out are chosen automatically). */
function checkDtypeChoice(value: string): DtypeChoice {
  const text = value.trim();
  if (isModelDtype(text)) return text;
  const choice: Record<string, string> = {};
  for (const part of text.split(',')) {
    const [graph, dtype, extra] = part.split('=').map((piece) => piece.trim());
    if (
      extra !== undefined ||
      graph === undefined ||
      dtype === undefined ||
      !isModelGraph(graph) ||
      !isModelDtype(dtype)
    ) {
      throw new UsageError(
        `--dtype '${value}': expected a dtype or graph=dtype pairs (graphs: ${modelGraphs.join(', ')})`,
      );
    }
    choice[graph] = dtype;
  }
  return choice;
}

async function checkAction(
  args: ModelsArguments,
  context: CommandContext,
  cacheOptions: { cacheDirectory?: string },
): Promise<number> {
  const [{ resolveModelDirectory }, { checkModel }] = await Promise.all([
    import('../../hub/index.js'),
    import('../../runtime/index.js'),
  ]);
  const directory = await resolveModelDirectory(args.model!, {
    ...cacheOptions,
    ...(args.revision ? { revision: args.revision } : {}),
  });
  const report = await checkModel(directory, {
    ...(args.dtype ? { dtype: checkDtypeChoice(args.dtype) } : {}),
    ...(args['quantized-compute'] !== undefined ? { quantizedCompute: args['quantized-compute'] } : {}),
    signal: context.signal,
  });
  context.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatCheckReport(report));
  return report.passed ? ExitCode.ok : ExitCode.modelError;
}

function formatCheckReport(report: ModelCheckReport): string {
  const lines = [`model: ${report.directory} (${report.family}; ${formatDtypes(report.dtypes)})`, 'graphs:'];
  const port = (direction: string, entry: { name: string; type: string; shape: readonly (number | string)[] }) =>
    `    ${direction} ${entry.name} ${entry.type} [${entry.shape.join(', ')}]`;
  for (const graph of report.graphs) {
    lines.push(`  ${graph.graph}: ${graph.file}`);
    for (const input of graph.inputs) lines.push(port('in ', input));
    for (const output of graph.outputs) lines.push(port('out', output));
    const operators = Object.entries(graph.operators).sort(([, left], [, right]) => right - left);
    lines.push(`    ops ${operators.map(([name, count]) => `${name}×${count}`).join(' ')}`);
    if (graph.int8MatMulNodes > 0)
      lines.push(`    ${graph.int8MatMulNodes} MatMulNBits nodes run with int8 activations (--quantized-compute)`);
    if ((graph.bufferedAttentionLayers ?? 0) > 0)
      lines.push(
        `    attention buffered in ${graph.bufferedAttentionLayers} layers (KV cache read in place; docs/runtime.md)`,
      );
    if (graph.bufferedAttentionSkipped !== undefined)
      lines.push(`    attention as exported: ${graph.bufferedAttentionSkipped}`);
  }
  lines.push('checks:');
  for (const check of report.checks) lines.push(`  ${check.passed ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`);
  lines.push(`answer: ${JSON.stringify(report.answer)}`);
  lines.push(
    `stages: ${report.stages.map((stage) => `${stage.stage} ${stage.milliseconds.toFixed(0)} ms`).join(', ')}`,
  );
  lines.push(report.passed ? 'all checks passed' : 'some checks FAILED');
  return `${lines.join('\n')}\n`;
}

/** Human-readable byte count: `12.3 MB`. */
function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

interface ProgressView {
  update(event: PullProgressEvent): void;
  finish(): void;
}

/** One JSON line per event on stderr; byte events at most once a second per file. */
class JsonProgress implements ProgressView {
  private lastBytesAt = 0;
  constructor(private readonly stream: NodeJS.WritableStream) {}
  update(event: PullProgressEvent): void {
    if (event.type === 'bytes') {
      const now = Date.now();
      if (now - this.lastBytesAt < 1000 && event.fileBytes < event.size) return;
      this.lastBytesAt = now;
    }
    this.stream.write(`${JSON.stringify(event)}\n`);
  }
  finish(): void {}
}

/** A single redrawn line on a terminal: bar, percent, bytes, current file, speed. */
class ProgressBar implements ProgressView {
  private lastDrawAt = 0;
  private drawn = false;
  private startedAt = Date.now();
  private startBytes = 0;
  private total = 0;
  constructor(private readonly stream: NodeJS.WritableStream) {}
  update(event: PullProgressEvent): void {
    if (event.type === 'plan') {
      this.total = event.totalBytes;
      this.startBytes = event.totalBytes - event.downloadBytes;
      this.startedAt = Date.now();
      return;
    }
    if (event.type === 'retry') {
      this.clear();
      this.stream.write(`retrying ${event.path} in ${(event.delayMs / 1000).toFixed(1)} s: ${event.reason}\n`);
      return;
    }
    if (event.type !== 'bytes') return;
    const now = Date.now();
    if (now - this.lastDrawAt < 100 && event.doneBytes < event.totalBytes) return;
    this.lastDrawAt = now;
    const fraction = event.totalBytes > 0 ? event.doneBytes / event.totalBytes : 1;
    const width = 30;
    const filled = Math.round(fraction * width);
    const seconds = Math.max(0.001, (now - this.startedAt) / 1000);
    const speed = Math.max(0, event.doneBytes - this.startBytes) / seconds;
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${formatBytes(event.doneBytes)}/${formatBytes(this.total || event.totalBytes)}  ${formatBytes(speed)}/s  ${event.path}`;
    this.stream.write(`\r${line.slice(0, 120)}\u001b[K`);
    this.drawn = true;
  }
  finish(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
  private clear(): void {
    if (this.drawn) this.stream.write('\r\u001b[K');
  }
}

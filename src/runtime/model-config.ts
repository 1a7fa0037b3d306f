/**
 * @file Reads a VLM export's config files into the numbers the runtime needs (family, LM dims, context window, eos
 * ids) and checks them against what the loaded graphs report, so a config that disagrees with its graphs fails at
 * load with both numbers named.
 */
import { readJsonObject } from '../models/read-json-object.js';
import { ModelLoadError } from '../errors/index.js';
import { familyForModelType, type ModelFamily } from '../models/index.js';
import { readVisionConfigSources } from '../models/vision-config.js';
import type { ModelFiles } from './model-files.js';
import type { AttentionHeads } from './buffered-attention.js';
import type { LoadedGraphs } from './model-runner.js';

/** What a loaded model is. */
export interface ModelInfo {
  readonly family: ModelFamily['name'];
  readonly modelType: string;
  readonly directory: string;
  readonly dtypes: ModelFiles['dtypes'];
  /** LM hidden size = visual token dim the prompt accepts. */
  readonly hidden: number;
  readonly layers: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly vocab: number;
  /** Positions the LM accepts (max_position_embeddings). */
  readonly contextWindow: number;
  /** Token ids that end generation. */
  readonly eos: readonly number[];
  /** Visual tokens per video frame and their grid. */
  readonly tokensPerFrame: number;
  readonly frameGrid: { readonly h: number; readonly w: number };
  /** Square input size of the vision encoder. */
  readonly imageSize: number;
  /**
   * Placeholders the family adds to a video at prompt-build time beyond the stream's visual tokens: 1 when the model
   * folder has a learned video newline (LLaVA-OneVision image_newline.npy), else 0. Budget and context checks add it.
   */
  readonly extraVisualTokens: number;
}

/** Context window when config.json has no max_position_embeddings: the family's language model's (Qwen2 32768). */
const fallbackContextWindow: Readonly<Record<ModelFamily['name'], number>> = {
  smolvlm2: 8192,
  'llava-onevision': 32768,
};

interface RawConfig {
  readonly modelType: string;
  readonly hidden?: number;
  readonly layers?: number;
  readonly kvHeads?: number;
  readonly vocab?: number;
  readonly contextWindow?: number;
  readonly eos: number[];
}

const numberAt = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

function eosIds(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.filter((item): item is number => typeof item === 'number');
  return [];
}

function readRawConfig(files: ModelFiles): RawConfig & { family: ModelFamily } {
  const config = readJsonObject(files.config);
  const modelType = config['model_type'];
  if (typeof modelType !== 'string') throw new ModelLoadError(files.config, 'has no model_type');
  const adapter = familyForModelType(modelType);
  if (adapter === undefined)
    throw new ModelLoadError(
      files.config,
      `model_type '${modelType}' is not supported (supported: smolvlm, idefics3, llava_onevision)`,
    );
  // Vision numbers (input size, patch, pixel shuffle, tokens per image, mean/std, tiling) from the model's own files.
  const family = adapter.configure(readVisionConfigSources(files), files.config);
  const text = (config['text_config'] ?? {}) as Record<string, unknown>;
  const generation = files.generationConfig === undefined ? {} : readJsonObject(files.generationConfig);
  const eos = eosIds(generation['eos_token_id']);
  const raw: RawConfig = {
    modelType,
    eos: eos.length > 0 ? eos : eosIds(text['eos_token_id'] ?? config['eos_token_id']),
    ...optional('hidden', numberAt(text['hidden_size'] ?? config['hidden_size'])),
    ...optional('layers', numberAt(text['num_hidden_layers'])),
    ...optional('kvHeads', numberAt(text['num_key_value_heads'] ?? text['num_attention_heads'])),
    ...optional('vocab', numberAt(text['vocab_size'] ?? config['vocab_size'])),
    ...optional('contextWindow', numberAt(text['max_position_embeddings'])),
  };
  return { ...raw, family };
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

/** The language model's query and KV head counts from config.json; undefined when it does not give them. */
export function readAttentionHeads(files: ModelFiles): AttentionHeads | undefined {
  const config = readJsonObject(files.config);
  const text = (config['text_config'] ?? config) as Record<string, unknown>;
  const heads = numberAt(text['num_attention_heads']);
  const kvHeads = numberAt(text['num_key_value_heads']) ?? heads;
  return heads === undefined || kvHeads === undefined ? undefined : { heads, kvHeads };
}

/** The family adapter of a model directory (read before any graph is loaded). */
export function readModelFamily(files: ModelFiles): ModelFamily {
  return readRawConfig(files).family;
}

/** Combines config and graph metadata; any disagreement → ModelLoadError naming config.json, the graph and both numbers. */
export function resolveModelInfo(files: ModelFiles, graphs: LoadedGraphs): ModelInfo {
  const raw = readRawConfig(files);
  const shape = graphs.decoderShape;
  const decoder = files.graphs.decoder_model_merged ?? 'decoder_model_merged';
  const checks: [string, number | undefined, number, string][] = [
    ['text_config.hidden_size', raw.hidden, shape.hidden, 'takes inputs_embeds of size'],
    ['text_config.num_hidden_layers', raw.layers, shape.layers, 'has past_key_values for layers:'],
    ['text_config.num_key_value_heads', raw.kvHeads, shape.kvHeads, 'has kv heads:'],
  ];
  for (const [field, configured, actual, what] of checks) {
    if (configured !== undefined && configured !== actual) {
      throw new ModelLoadError(files.config, `${field} is ${configured} but ${decoder} ${what} ${actual}`);
    }
  }
  if (raw.vocab !== undefined && raw.vocab > shape.vocab) {
    throw new ModelLoadError(files.config, `vocab_size is ${raw.vocab} but ${decoder} has ${shape.vocab} logits`);
  }
  const tokensPerFrame = raw.family.frameGrid.h * raw.family.frameGrid.w;
  return {
    family: raw.family.name,
    modelType: raw.modelType,
    directory: files.directory,
    dtypes: files.dtypes,
    hidden: shape.hidden,
    layers: shape.layers,
    kvHeads: shape.kvHeads,
    headDim: shape.headDim,
    vocab: shape.vocab,
    contextWindow: raw.contextWindow ?? fallbackContextWindow[raw.family.name] ?? 8192,
    eos: raw.eos,
    tokensPerFrame,
    frameGrid: raw.family.frameGrid,
    imageSize: raw.family.imageSize,
    extraVisualTokens: 0,
  };
}

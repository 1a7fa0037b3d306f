/**
 * @file Short names for the models vidtok supports, with the repository they come from and a default dtype per
 * graph. SmolVLM2 defaults to the recipe of Hugging Face's own transformers.js demos (embed fp16, vision q4,
 * decoder q4, about 208 MB for 256M); LLaVA-OneVision uses fp16 for the tower because its q4 sizes are unverified.
 */
import type { GraphDtypes } from './model-dtypes.js';

export interface ModelAlias {
  /** The short name, e.g. `smolvlm2-256m`. */
  readonly alias: string;
  /** The hub repository, `owner/name`. */
  readonly repositoryId: string;
  /** The dtypes `vidtok models pull` chooses when `--dtype` is not given. */
  readonly defaultDtypes: GraphDtypes;
  /** One line for `vidtok models list --aliases` and the docs. */
  readonly description: string;
}

const smolVlmRecipe: GraphDtypes = { embed_tokens: 'fp16', vision_encoder: 'q4', decoder_model_merged: 'q4' };

export const modelAliases: readonly ModelAlias[] = [
  {
    alias: 'smolvlm2-256m',
    repositoryId: 'HuggingFaceTB/SmolVLM2-256M-Video-Instruct',
    defaultDtypes: smolVlmRecipe,
    description: 'SmolVLM2 256M Video-Instruct (64 tokens per frame), about 208 MB with the default dtypes',
  },
  {
    alias: 'smolvlm2-500m',
    repositoryId: 'HuggingFaceTB/SmolVLM2-500M-Video-Instruct',
    defaultDtypes: smolVlmRecipe,
    description: 'SmolVLM2 500M Video-Instruct (64 tokens per frame)',
  },
  {
    alias: 'llava-onevision-0.5b',
    repositoryId: 'llava-hf/llava-onevision-qwen2-0.5b-ov-hf',
    defaultDtypes: { embed_tokens: 'fp16', vision_encoder: 'fp16', decoder_model_merged: 'q4' },
    description: 'LLaVA-OneVision Qwen2 0.5B (196 tokens per frame)',
  },
];

/** dtypes for a repository that has no alias: full precision everywhere. */
export const fallbackDtypes: GraphDtypes = {
  embed_tokens: 'fp32',
  vision_encoder: 'fp32',
  decoder_model_merged: 'fp32',
};

/** The alias entry for `name` (case-insensitive), or for the repository `name` names, or undefined. */
export function findModelAlias(name: string): ModelAlias | undefined {
  const lower = name.toLowerCase();
  return modelAliases.find((entry) => entry.alias === lower || entry.repositoryId.toLowerCase() === lower);
}

/** @file The model family adapters and their lookup by config.json `model_type`. */
import { llavaOnevisionFamily } from './llava-onevision/index.js';
import type { ModelFamily } from './model-family.js';
import { smolvlm2Family } from './smolvlm2/index.js';

export type {
  FamilyName,
  ModelFamily,
  PromptOptions,
  PromptTokenizer,
  TokenGrids,
  VisionOutput,
} from './model-family.js';
export { llavaOnevisionFamily, smolvlm2Family };

export const modelFamilies: readonly ModelFamily[] = [smolvlm2Family, llavaOnevisionFamily];

/** The adapter for a config.json `model_type`, or undefined. */
export function familyForModelType(modelType: string): ModelFamily | undefined {
  return modelFamilies.find((family) => family.modelTypes.includes(modelType));
}

/**
 * @file The text generation options of ask, caption and narrate (token limit, sampling, seed, instruction) and the
 * validated generation settings they yield.
 */
import { generationSettings } from '../../uses/generation-settings.js';
import { defineOptions, type OptionValues } from './option-table.js';

/** The sampling options, with the command's default token limit and the name of what it generates. */
export function generationOptions(defaultTokens: number, output: string) {
  return defineOptions({
    'max-new-tokens': { type: 'number', default: defaultTokens, describe: `Most tokens to generate per ${output}` },
    temperature: { type: 'number', describe: 'Sampling temperature (0 or absent: greedy)' },
    'top-k': { type: 'number', describe: 'Keep the k most likely tokens (0: all)' },
    'top-p': { type: 'number', describe: 'Nucleus sampling probability mass, in (0, 1]' },
    'repetition-penalty': { type: 'number', describe: '> 1 discourages repeated tokens (1: off)' },
    seed: { type: 'number', describe: 'Seed of the sampler (default 0)' },
  });
}

/** The instruction given to the model for each item. */
export const promptOptions = defineOptions({
  prompt: { type: 'string', describe: 'Instruction given to the model' },
});

/** Validated generation settings from the sampling options. */
export function generationFromArguments(
  args: Partial<OptionValues<ReturnType<typeof generationOptions>>>,
): ReturnType<typeof generationSettings> {
  return generationSettings({
    ...(args['max-new-tokens'] !== undefined ? { maxNewTokens: args['max-new-tokens'] } : {}),
    ...(args.temperature !== undefined ? { temperature: args.temperature } : {}),
    ...(args['top-k'] !== undefined ? { topK: args['top-k'] } : {}),
    ...(args['top-p'] !== undefined ? { topP: args['top-p'] } : {}),
    ...(args['repetition-penalty'] !== undefined ? { repetitionPenalty: args['repetition-penalty'] } : {}),
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
  });
}

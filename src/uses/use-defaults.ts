/**
 * @file Defaults shared by `vidtok ask`, `vidtok caption` and `vidtok worker`: the model alias, the pipeline and the
 * generation length. One place, so the docs, the CLI help and the programmatic API agree.
 */

/** Model used when none is named (an alias of src/hub; `vidtok models pull smolvlm2-256m` fetches it). */
export const defaultVideoModel = 'smolvlm2-256m';

/**
 * Pipeline used when none is named: 8 evenly spaced frames, every token of each (SmolVLM2: 8 x 64 = 512 visual
 * tokens; LLaVA-OneVision: 8 x 196 = 1568). It needs no strategy-specific wording in the prompt.
 */
export const defaultVideoPipeline = 'uniform';

/** Most tokens generated for an answer when not set. */
export const defaultAnswerTokens = 128;

/** Most tokens generated for one chunk's caption when not set. */
export const defaultCaptionTokens = 96;

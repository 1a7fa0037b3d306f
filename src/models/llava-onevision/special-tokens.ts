/**
 * @file LLaVA-OneVision (Qwen2) special tokens: `<|im_start|>` 151644, `<|im_end|>` 151645 (eos), `<image>` 151646,
 * `<video>` 151647. Ids are resolved through the tokenizer; these document the real export.
 */
export const llavaOnevisionTokens = {
  imStart: '<|im_start|>',
  imEnd: '<|im_end|>',
  image: '<image>',
  video: '<video>',
} as const;

export const llavaOnevisionTokenIds = { imStart: 151644, imEnd: 151645, image: 151646, video: 151647 } as const;

/**
 * @file SmolVLM2's special tokens (ids as in the export's added_tokens: `<|im_start|>` 1, `<global-img>` 49152,
 * `<fake_token_around_image>` 49189, `<image>` 49190, `<end_of_utterance>` 49279 = eos). The runtime resolves ids
 * through the tokenizer; the ids here document the real export and are checked by the fixture tests.
 */
export const smolvlm2Tokens = {
  imStart: '<|im_start|>',
  globalImage: '<global-img>',
  fakeAroundImage: '<fake_token_around_image>',
  image: '<image>',
  endOfUtterance: '<end_of_utterance>',
} as const;

export const smolvlm2TokenIds = {
  imStart: 1,
  globalImage: 49152,
  fakeAroundImage: 49189,
  image: 49190,
  endOfUtterance: 49279,
} as const;

/**
 * @file The model tokenizer (`@huggingface/tokenizers` over the export's tokenizer.json and tokenizer_config.json)
 * and its chat template (`@huggingface/jinja`, from tokenizer_config.json `chat_template` or chat_template.json).
 */
import { readFileSync } from 'node:fs';
import { Template } from '@huggingface/jinja';
import { Tokenizer } from '@huggingface/tokenizers';
import { ModelLoadError } from '../errors/index.js';
import type { ModelFiles } from './model-files.js';

/** One chat message as the templates expect it. */
export interface ChatMessage {
  readonly role: string;
  readonly content: readonly Readonly<Record<string, unknown>>[];
}

export interface TextTokenizer {
  /** Token ids of `text`; special-token strings in it become their ids, nothing is added around it. */
  encode(text: string): number[];
  /** Text of `ids`, special tokens skipped unless asked. */
  decode(ids: readonly number[], options?: { readonly skipSpecialTokens?: boolean }): string;
  /** Id of a token string, or undefined. */
  tokenId(token: string): number | undefined;
  /** Renders the chat template; throws ModelLoadError when the export has none. */
  applyChatTemplate(messages: readonly ChatMessage[], options?: { readonly addGenerationPrompt?: boolean }): string;
  readonly hasChatTemplate: boolean;
}

function readJson(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new ModelLoadError(path, `not readable JSON: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

function templateText(files: ModelFiles, tokenizerConfig: Record<string, unknown>): string | undefined {
  const inline = tokenizerConfig['chat_template'];
  if (typeof inline === 'string') return inline;
  if (Array.isArray(inline)) {
    const named = inline.find((entry: { name?: string }) => entry.name === 'default') as
      | { template?: string }
      | undefined;
    if (named?.template) return named.template;
  }
  if (files.chatTemplate !== undefined) {
    const file = readJson(files.chatTemplate)['chat_template'];
    if (typeof file === 'string') return file;
  }
  return undefined;
}

/** Loads the tokenizer and chat template of a model directory. */
export function loadTextTokenizer(files: ModelFiles): TextTokenizer {
  const tokenizerJson = readJson(files.tokenizer);
  const tokenizerConfig = files.tokenizerConfig === undefined ? {} : readJson(files.tokenizerConfig);
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
  } catch (error) {
    throw new ModelLoadError(
      files.tokenizer,
      `cannot build the tokenizer: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const source = templateText(files, tokenizerConfig);
  let template: Template | undefined;
  if (source !== undefined) {
    try {
      template = new Template(source);
    } catch (error) {
      throw new ModelLoadError(
        files.tokenizerConfig ?? files.directory,
        `chat template does not parse: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  const specialText = (key: string): string => {
    const value = tokenizerConfig[key];
    if (typeof value === 'string') return value;
    if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string')
      return (value as { content: string }).content;
    return '';
  };
  return {
    hasChatTemplate: template !== undefined,
    encode: (text) => tokenizer.encode(text, { add_special_tokens: false }).ids,
    decode: (ids, options = {}) =>
      tokenizer.decode([...ids], { skip_special_tokens: options.skipSpecialTokens ?? true }),
    tokenId: (token) => tokenizer.token_to_id(token),
    applyChatTemplate(messages, options = {}) {
      if (template === undefined)
        throw new ModelLoadError(files.tokenizerConfig ?? files.directory, 'the export has no chat template');
      return template.render({
        messages,
        add_generation_prompt: options.addGenerationPrompt ?? true,
        bos_token: specialText('bos_token'),
        eos_token: specialText('eos_token'),
      });
    },
  };
}

/**
 * @file Parsing a `POST /v1/chat/completions` body into what the model is asked. Messages follow OpenAI's format;
 * the media is one `video_url` part (vLLM's convention) or one `image_url` part in a user message. System (and
 * developer) messages become the system message prefilled with the video; the text of the last user message is the
 * question. Earlier user/assistant turns are not replayed (each answer comes from the video context and the last
 * question alone). Sampling fields map onto vidtok's generation options; vidtok's own options live in one extra
 * field, `vidtok` (pipeline, budget, time window, paper prompt, multiple-choice options). Every invalid field is a
 * 400 naming it.
 */
import type { GenerationOptions } from '../runtime/index.js';
import type { MediaKind } from './media-resolver.js';
import { HttpError } from './openai-error.js';

export interface VidtokRequestOptions {
  /** A built-in pipeline name (`vidtok pipelines`); files are not accepted from requests. */
  readonly pipeline?: string;
  readonly budget?: number;
  readonly start?: number;
  readonly end?: number;
  readonly paperPrompt?: boolean;
  readonly choices?: readonly string[];
}

export interface ChatRequest {
  readonly model: string;
  readonly stream: boolean;
  readonly includeUsageInStream: boolean;
  readonly media: { readonly kind: MediaKind; readonly url: string };
  readonly question: string;
  readonly systemPrompt?: string;
  readonly generation: Omit<GenerationOptions, 'signal'>;
  readonly vidtok: VidtokRequestOptions;
}

const invalid = (param: string, message: string): HttpError =>
  new HttpError(400, 'invalid_request_error', `${param}: ${message}`, 'invalid_value', param);

function optionalNumber(
  body: Record<string, unknown>,
  name: string,
  check: (value: number) => boolean,
  rule: string,
  prefix = '',
): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || !check(value))
    throw invalid(`${prefix}${name}`, `must be ${rule} (got ${JSON.stringify(value)})`);
  return value;
}

function textOf(
  content: unknown,
  param: string,
): { text: string; media: Array<{ kind: MediaKind; url: string; param: string }> } {
  if (typeof content === 'string') return { text: content, media: [] };
  if (!Array.isArray(content)) throw invalid(param, 'must be a string or an array of content parts');
  const texts: string[] = [];
  const media: Array<{ kind: MediaKind; url: string; param: string }> = [];
  content.forEach((part: unknown, index) => {
    const at = `${param}[${index}]`;
    if (typeof part !== 'object' || part === null) throw invalid(at, 'must be a content part object');
    const record = part as Record<string, unknown>;
    if (record.type === 'text') {
      if (typeof record.text !== 'string') throw invalid(`${at}.text`, 'must be a string');
      texts.push(record.text);
    } else if (record.type === 'video_url' || record.type === 'image_url') {
      const holder = record[record.type];
      const url =
        typeof holder === 'string'
          ? holder
          : typeof holder === 'object' && holder !== null
            ? (holder as Record<string, unknown>).url
            : undefined;
      if (typeof url !== 'string' || url.length === 0)
        throw invalid(`${at}.${record.type}.url`, 'must be a non-empty string');
      media.push({ kind: record.type === 'video_url' ? 'video' : 'image', url, param: at });
    } else {
      throw invalid(
        `${at}.type`,
        `unsupported content part type ${JSON.stringify(record.type)} (text, video_url, image_url)`,
      );
    }
  });
  return { text: texts.join('\n'), media };
}

function vidtokOptions(value: unknown): VidtokRequestOptions {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('vidtok', 'must be an object');
  const record = value as Record<string, unknown>;
  const known = new Set(['pipeline', 'budget', 'start', 'end', 'paper_prompt', 'choices']);
  for (const name of Object.keys(record))
    if (!known.has(name)) throw invalid(`vidtok.${name}`, `unknown option (known: ${[...known].join(', ')})`);
  if (
    record.pipeline !== undefined &&
    (typeof record.pipeline !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(record.pipeline))
  ) {
    throw invalid('vidtok.pipeline', 'must be the name of a built-in pipeline (vidtok pipelines)');
  }
  const budget = optionalNumber(
    record,
    'budget',
    (number) => Number.isInteger(number) && number > 0,
    'a positive integer',
    'vidtok.',
  );
  const start = optionalNumber(record, 'start', (number) => number >= 0, 'a number of seconds >= 0', 'vidtok.');
  const end = optionalNumber(record, 'end', (number) => number > 0, 'a number of seconds > 0', 'vidtok.');
  if (start !== undefined && end !== undefined && end <= start)
    throw invalid('vidtok.end', `must be after vidtok.start (${start})`);
  if (record.paper_prompt !== undefined && typeof record.paper_prompt !== 'boolean')
    throw invalid('vidtok.paper_prompt', 'must be a boolean');
  let choices: string[] | undefined;
  if (record.choices !== undefined) {
    if (
      !Array.isArray(record.choices) ||
      record.choices.length < 2 ||
      record.choices.length > 26 ||
      !record.choices.every((choice) => typeof choice === 'string' && choice.trim().length > 0)
    ) {
      throw invalid('vidtok.choices', 'must be 2 to 26 non-empty strings');
    }
    choices = (record.choices as string[]).map((choice) => choice.trim());
  }
  return {
    ...(record.pipeline !== undefined ? { pipeline: record.pipeline as string } : {}),
    ...(budget !== undefined ? { budget } : {}),
    ...(start !== undefined ? { start } : {}),
    ...(end !== undefined ? { end } : {}),
    ...(record.paper_prompt !== undefined ? { paperPrompt: record.paper_prompt as boolean } : {}),
    ...(choices ? { choices } : {}),
  };
}

/** Validates `body`; `maxTokensLimit` bounds max_tokens. */
export function parseChatRequest(body: Record<string, unknown>, maxTokensLimit: number): ChatRequest {
  if (typeof body.model !== 'string' || body.model.length === 0) throw invalid('model', 'must be a non-empty string');
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean')
    throw invalid('stream', 'must be a boolean');
  if (body.n !== undefined && body.n !== null && body.n !== 1) throw invalid('n', 'only n = 1 is supported');
  const streamOptions = body.stream_options as Record<string, unknown> | undefined | null;
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    throw invalid('messages', 'must be a non-empty array');
  const systemTexts: string[] = [];
  const media: Array<{ kind: MediaKind; url: string; param: string }> = [];
  let question: string | undefined;
  body.messages.forEach((message: unknown, index) => {
    const at = `messages[${index}]`;
    if (typeof message !== 'object' || message === null) throw invalid(at, 'must be a message object');
    const record = message as Record<string, unknown>;
    const { text, media: parts } = textOf(record.content, `${at}.content`);
    if (record.role === 'system' || record.role === 'developer') {
      if (parts.length > 0) throw invalid(`${at}.content`, 'media parts belong in a user message');
      systemTexts.push(text);
    } else if (record.role === 'user') {
      media.push(...parts);
      question = text;
    } else if (record.role === 'assistant') {
      if (parts.length > 0) throw invalid(`${at}.content`, 'media parts belong in a user message');
    } else {
      throw invalid(
        `${at}.role`,
        `unsupported role ${JSON.stringify(record.role)} (system, developer, user, assistant)`,
      );
    }
  });
  if (media.length === 0)
    throw invalid('messages', 'no video_url or image_url part: vidtok answers questions about a video or image');
  if (media.length > 1) throw invalid(media[1]!.param, 'one video_url or image_url part per request');
  if (question === undefined || question.trim().length === 0)
    throw invalid('messages', 'the last user message has no text (the question)');
  const maxTokens =
    optionalNumber(
      body,
      'max_completion_tokens',
      (number) => Number.isInteger(number) && number >= 1 && number <= maxTokensLimit,
      `an integer in [1, ${maxTokensLimit}]`,
    ) ??
    optionalNumber(
      body,
      'max_tokens',
      (number) => Number.isInteger(number) && number >= 1 && number <= maxTokensLimit,
      `an integer in [1, ${maxTokensLimit}]`,
    );
  const temperature = optionalNumber(body, 'temperature', (number) => number >= 0 && number <= 2, 'a number in [0, 2]');
  const topP = optionalNumber(body, 'top_p', (number) => number > 0 && number <= 1, 'a number in (0, 1]');
  const seed = optionalNumber(body, 'seed', (number) => Number.isSafeInteger(number), 'an integer');
  let stopStrings: string[] | undefined;
  if (body.stop !== undefined && body.stop !== null) {
    const list = typeof body.stop === 'string' ? [body.stop] : body.stop;
    if (!Array.isArray(list) || list.length > 4 || !list.every((stop) => typeof stop === 'string' && stop.length > 0))
      throw invalid('stop', 'must be a string or up to 4 non-empty strings');
    stopStrings = list as string[];
  }
  const systemPrompt = systemTexts.join('\n').trim();
  return {
    model: body.model,
    stream: body.stream === true,
    includeUsageInStream:
      typeof streamOptions === 'object' && streamOptions !== null && streamOptions.include_usage === true,
    media: { kind: media[0]!.kind, url: media[0]!.url },
    question: question.trim(),
    ...(systemPrompt.length > 0 ? { systemPrompt } : {}),
    generation: {
      ...(maxTokens !== undefined ? { maxNewTokens: maxTokens } : {}),
      // OpenAI's default temperature is 1; vidtok's (like `vidtok ask`) is greedy unless a temperature is given.
      ...(temperature !== undefined ? { temperature } : {}),
      ...(topP !== undefined ? { topP } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(stopStrings ? { stopStrings } : {}),
    },
    vidtok: vidtokOptions(body.vidtok),
  };
}

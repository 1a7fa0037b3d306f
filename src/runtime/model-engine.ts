/**
 * @file The engine that owns the three ONNX sessions of a VLM export and its named KV-cache contexts. It embeds
 * token ids, writes visual rows over the placeholder positions, runs chunked prefill and single-token decode steps
 * with the cache (empty past `[1, kvHeads, 0, headDim]` built from the input metadata, a full-length attention mask,
 * and only the optional inputs the graph declares: 0-based `position_ids`, `num_logits_to_keep` 1, `use_cache_branch`)
 * and returns the last position's logits, float32 or float16 alike. Contexts can continue another context's cache
 * without copying it, which is how a prefilled video is reused for several questions. Decode steps of a
 * GroupQueryAttention decoder append to the context's own preallocated KV buffers (kv-buffers.ts) instead of
 * receiving a new concatenated cache every step; an older-style decoder is loaded with its attention rewritten to
 * read such buffers in place (buffered-attention.ts), and every call, prefill chunks included, writes the new rows
 * it returns into them. It runs in-process or inside the child runner.
 */
import { InputRejectedError, ModelLoadError, throwIfAborted } from '../errors/index.js';
import { float16Bits, float16DataToFloat32, float32ToFloat16 } from './float16.js';
import type {
  CallOptions,
  ForwardResult,
  ImageFeatures,
  LoadedGraphs,
  LoadRequest,
  ModelRunner,
  PrefillRequest,
  StepRequest,
} from './model-runner.js';
import { readAttentionHeads } from './model-config.js';
import { compactKv, grownCapacity, kvHeadroomRows, toKvBuffers, writeRows } from './kv-buffers.js';
import { createTensor, openGraphSession, type GraphPort, type GraphSession, type HostTensor } from './onnx-session.js';

interface Context {
  /** `past_key_values.*` feeds for the next call. */
  readonly past: Record<string, HostTensor>;
  readonly length: number;
  /**
   * Set when `past` is in buffer form (kv-buffers.ts): rows each buffer holds, of which `length` are valid; the
   * buffers belong to this context alone and decode steps append to them in place. Unset: compact, shareable.
   */
  readonly capacity?: number;
}

export interface ModelEngineOptions {
  /**
   * Decode steps append to preallocated KV buffers when the decoder's attention is GroupQueryAttention, and an
   * older-style decoder's attention is rewritten to read such buffers (default true; false keeps the export's
   * concatenating attention everywhere, for comparisons).
   */
  readonly inPlaceKvCache?: boolean;
}

/** Which optional decoder inputs the graph declares (each is fed only when declared). */
interface DecoderFeeds {
  readonly embedsType: string;
  readonly positionIds: boolean;
  readonly numLogitsToKeep: boolean;
  readonly useCacheBranch: boolean;
}

interface Loaded {
  readonly feeds: DecoderFeeds;
  readonly embed: GraphSession;
  readonly decoder: GraphSession;
  readonly vision?: GraphSession;
  readonly shape: LoadedGraphs['decoderShape'];
  readonly pastNames: readonly string[];
  readonly emptyPast: Record<string, HostTensor>;
  /** Decode steps run in place on KV buffers (GroupQueryAttention decoders; see ModelEngineOptions). */
  inPlaceKv: boolean;
  /** An in-place step has succeeded on this model (later failures are real errors, not a graph that cannot). */
  inPlaceKvVerified: boolean;
  /** The decoder's attention is buffered (buffered-attention.ts): every call writes its new rows into buffers. */
  readonly bufferedKv: boolean;
}

const pastPrefix = 'past_key_values.';
const requiredDecoderInputs = ['inputs_embeds', 'attention_mask'] as const;
const optionalDecoderInputs = ['position_ids', 'num_logits_to_keep', 'use_cache_branch'] as const;
const visionInputs = ['pixel_values', 'pixel_attention_mask'] as const;

/** Refuses a graph with an input the runtime cannot feed, naming it (a load error, not a failed run later). */
function checkFeedable(session: GraphSession, known: readonly string[], role: string, withPast: boolean): void {
  const unknown = session.inputs.filter(
    (port) => !known.includes(port.name) && !(withPast && port.name.startsWith(pastPrefix)),
  );
  if (unknown.length === 0) return;
  const names = unknown.map((port) => `'${port.name}'`).join(', ');
  const fed = [...known, ...(withPast ? ['past_key_values.*'] : [])].join(', ');
  throw new ModelLoadError(session.path, `${role} input ${names} cannot be fed (the runtime feeds ${fed})`);
}

function numericDim(port: GraphPort | undefined, index: number, what: string, path: string): number {
  const value = port?.shape[index];
  if (typeof value !== 'number' || value <= 0) {
    throw new ModelLoadError(
      path,
      `${what}: dim ${index} of ${port?.name ?? 'a missing port'} is not a fixed number (${String(value)})`,
    );
  }
  return value;
}

function findPort(ports: readonly GraphPort[], name: string, path: string): GraphPort {
  const port = ports.find((candidate) => candidate.name === name);
  if (port === undefined)
    throw new ModelLoadError(path, `graph has no '${name}' (has ${ports.map((p) => p.name).join(', ')})`);
  return port;
}

function toFloat32(tensor: HostTensor): Float32Array {
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type === 'float16') return float16DataToFloat32(tensor.data);
  throw new ModelLoadError('graph output', `unexpected element type ${tensor.type} (expected float32 or float16)`);
}

/** Row `rows - 1` of a `[1, rows, width]` float32 or float16 tensor, as a float32 copy. */
function lastRow(tensor: HostTensor, rows: number, width: number): Float32Array {
  const start = (rows - 1) * width;
  if (tensor.type === 'float16') return float16DataToFloat32(float16Bits(tensor.data).subarray(start, start + width));
  if (tensor.type === 'float32') return Float32Array.from((tensor.data as Float32Array).subarray(start, start + width));
  throw new ModelLoadError('logits', `unexpected element type ${tensor.type} (expected float32 or float16)`);
}

function floatTensor(type: string, values: Float32Array, dims: readonly number[]): HostTensor {
  return type === 'float16'
    ? createTensor('float16', float32ToFloat16(values), dims)
    : createTensor('float32', values, dims);
}

/** Builds the empty-past feeds: batch dims become 1, every other symbolic dim 0, as transformers.js does. */
function emptyPastFeeds(decoder: GraphSession, names: readonly string[]): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {};
  for (const name of names) {
    const port = findPort(decoder.inputs, name, decoder.path);
    const dims = port.shape.map((dim, index) => (typeof dim === 'number' && dim >= 0 ? dim : index === 0 ? 1 : 0));
    feeds[name] =
      port.type === 'float16'
        ? createTensor('float16', new Uint16Array(0), dims)
        : createTensor('float32', new Float32Array(0), dims);
  }
  return feeds;
}

/** Creates an engine that hosts the sessions in this process. */
export function createModelEngine(engineOptions: ModelEngineOptions = {}): ModelRunner {
  let loaded: Loaded | undefined;
  const contexts = new Map<string, Context>();

  const loadedModel = (): Loaded => {
    if (loaded === undefined) throw new ModelLoadError('model', 'no model is loaded in this runner');
    return loaded;
  };

  async function embedIds(ids: Int32Array): Promise<Float32Array> {
    const { embed } = loadedModel();
    const data = new BigInt64Array(ids.length);
    for (let index = 0; index < ids.length; index++) data[index] = BigInt(ids[index]!);
    const outputs = await embed.run({ [embed.inputs[0]!.name]: createTensor('int64', data, [1, ids.length]) });
    return toFloat32(outputs[embed.outputs[0]!.name]!);
  }

  /** The decoder feeds for `count` new rows after `context` (its past as it is, compact or buffer form). */
  function decoderFeeds(model: Loaded, context: Context, embeds: Float32Array, count: number) {
    const { shape, feeds: declared } = model;
    const total = context.length + count;
    const feeds: Record<string, HostTensor> = {
      inputs_embeds: floatTensor(declared.embedsType, embeds, [1, count, shape.hidden]),
      attention_mask: createTensor('int64', new BigInt64Array(total).fill(1n), [1, total]),
      ...context.past,
    };
    // Only what the graph declares: newer exports compute positions from attention_mask and have no position_ids.
    if (declared.positionIds) {
      const positions = new BigInt64Array(count);
      for (let index = 0; index < count; index++) positions[index] = BigInt(context.length + index);
      feeds['position_ids'] = createTensor('int64', positions, [1, count]);
    }
    if (declared.useCacheBranch)
      feeds['use_cache_branch'] = createTensor('bool', Uint8Array.of(context.length > 0 ? 1 : 0), [1]);
    if (declared.numLogitsToKeep) feeds['num_logits_to_keep'] = createTensor('int64', BigInt64Array.of(1n), []);
    return feeds;
  }

  function logitsOf(model: Loaded, outputs: Record<string, HostTensor>): Float32Array {
    const logitsTensor = outputs['logits'];
    if (logitsTensor === undefined) throw new ModelLoadError(model.decoder.path, 'decoder produced no logits output');
    return lastRow(logitsTensor, logitsTensor.dims[1] ?? 1, model.shape.vocab);
  }

  /**
   * One decode step appending to the context's own KV buffers (GroupQueryAttention's shared-buffer mode); a compact
   * context is copied into new buffers first, a full one into larger buffers. Undefined when onnxruntime did not
   * write in place (then in-place decoding is switched off for this model and the caller takes the other path).
   */
  async function stepInPlace(
    model: Loaded,
    context: Context,
    embeds: Float32Array,
  ): Promise<{ logits: Float32Array; context: Context } | undefined> {
    const capacity = grownCapacity(context.capacity, context.length + 1);
    const past = capacity === context.capacity ? context.past : toKvBuffers(context.past, context.length, capacity);
    const buffered: Context = { past, length: context.length, capacity };
    const fetches: Record<string, HostTensor | null> = { logits: null };
    for (const name of model.pastNames) fetches[`present.${name.slice(pastPrefix.length)}`] = past[name]!;
    let outputs: Record<string, HostTensor>;
    try {
      outputs = await model.decoder.run(decoderFeeds(model, buffered, embeds, 1), fetches);
    } catch (error) {
      if (model.inPlaceKvVerified) throw error;
      model.inPlaceKv = false; // the first in-place step failed: this graph does not take shared buffers
      return undefined;
    }
    const firstPresent = outputs[`present.${model.pastNames[0]!.slice(pastPrefix.length)}`];
    if (firstPresent?.dims[2] !== capacity) {
      model.inPlaceKv = false;
      return undefined;
    }
    model.inPlaceKvVerified = true;
    return { logits: logitsOf(model, outputs), context: { past, length: context.length + 1, capacity } };
  }

  /**
   * One call of a buffered-attention decoder: the context's past is fed as it is (buffer or compact, its own or
   * shared; an empty one as one masked row, because the graph's softmax reduces over the buffer), and the new rows
   * come back alone and are written into the context's own buffers, made by copying the valid rows when the context
   * has none yet or they are full: room for `reserve` rows (a prefill's whole prompt) and `kvHeadroomRows` more,
   * never by half again as the GroupQueryAttention buffers grow, because the graph multiplies every buffer row,
   * valid or not (spare rows cost every step; a growth costs one copy every `kvHeadroomRows` steps).
   */
  async function forwardBuffered(
    model: Loaded,
    current: Context,
    embeds: Float32Array,
    count: number,
    reserve: number,
  ): Promise<{ logits: Float32Array; context: Context }> {
    const fed = current.length === 0 ? { ...current, past: toKvBuffers(current.past, 0, 1) } : current;
    const outputs = await model.decoder.run(decoderFeeds(model, fed, embeds, count));
    const logits = logitsOf(model, outputs);
    const length = current.length + count;
    const inPlace = current.capacity !== undefined && current.capacity >= length;
    const capacity = inPlace ? current.capacity! : Math.max(length, reserve) + kvHeadroomRows;
    const past = inPlace ? current.past : toKvBuffers(current.past, current.length, capacity);
    for (const name of model.pastNames) {
      const rows = outputs[`present.${name.slice(pastPrefix.length)}`];
      if (rows === undefined)
        throw new ModelLoadError(model.decoder.path, `decoder produced no present output for ${name}`);
      writeRows(past[name]!, rows, current.length);
    }
    return { logits, context: { past, length, capacity } };
  }

  async function forward(
    current: Context,
    embeds: Float32Array,
    count: number,
    reserve = 0,
  ): Promise<{ logits: Float32Array; context: Context }> {
    const model = loadedModel();
    if (model.bufferedKv) return forwardBuffered(model, current, embeds, count, reserve);
    if (model.inPlaceKv && count === 1) {
      const stepped = await stepInPlace(model, current, embeds);
      if (stepped !== undefined) return stepped;
    }
    // Several rows (prefill) run on a compact cache: a buffer-form one is copied down to its valid rows first.
    const context =
      current.capacity === undefined
        ? current
        : { past: compactKv(current.past, current.length), length: current.length };
    const total = context.length + count;
    const outputs = await model.decoder.run(decoderFeeds(model, context, embeds, count));
    const logits = logitsOf(model, outputs);
    const { decoder } = model;
    const past: Record<string, HostTensor> = {};
    for (const name of model.pastNames) {
      const present = outputs[`present.${name.slice(pastPrefix.length)}`];
      if (present === undefined)
        throw new ModelLoadError(decoder.path, `decoder produced no present output for ${name}`);
      past[name] = present;
    }
    return { logits, context: { past, length: total } };
  }

  /** Validates the opened graphs against each other and keeps them as the loaded model. */
  function describeAndKeep(
    embed: GraphSession,
    decoder: GraphSession,
    vision: GraphSession | undefined,
  ): Omit<LoadedGraphs, 'device' | 'notices' | 'int8MatMulNodes' | 'bufferedAttentionLayers'> {
    for (const required of requiredDecoderInputs) findPort(decoder.inputs, required, decoder.path);
    checkFeedable(decoder, [...requiredDecoderInputs, ...optionalDecoderInputs], 'decoder', true);
    const positionPort = decoder.inputs.find((port) => port.name === 'position_ids');
    if (positionPort !== undefined && positionPort.shape.length !== 2) {
      throw new ModelLoadError(
        decoder.path,
        `position_ids has ${positionPort.shape.length} dims; only 1-D positions [batch, sequence] are supported (3-row M-RoPE ids are not)`,
      );
    }
    if (vision !== undefined) {
      findPort(vision.inputs, 'pixel_values', vision.path);
      checkFeedable(vision, visionInputs, 'vision_encoder', false);
    }
    findPort(decoder.outputs, 'logits', decoder.path);
    const pastNames = decoder.inputs.filter((port) => port.name.startsWith(pastPrefix)).map((port) => port.name);
    if (pastNames.length === 0 || pastNames.length % 2 !== 0) {
      throw new ModelLoadError(
        decoder.path,
        `expected past_key_values.{i}.key/value inputs, found ${pastNames.length}`,
      );
    }
    const firstPast = findPort(decoder.inputs, pastNames[0]!, decoder.path);
    const embedOutput = embed.outputs[0];
    const shape = {
      hidden: numericDim(findPort(decoder.inputs, 'inputs_embeds', decoder.path), 2, 'hidden size', decoder.path),
      layers: pastNames.length / 2,
      kvHeads: numericDim(firstPast, 1, 'kv heads', decoder.path),
      headDim: numericDim(firstPast, 3, 'head dim', decoder.path),
      vocab: numericDim(findPort(decoder.outputs, 'logits', decoder.path), 2, 'vocabulary size', decoder.path),
    };
    const embedHidden = numericDim(embedOutput, 2, 'hidden size', embed.path);
    if (embedHidden !== shape.hidden) {
      throw new ModelLoadError(
        embed.path,
        `embeds ${embedHidden}-d tokens but the decoder takes ${shape.hidden}-d inputs_embeds`,
      );
    }
    if (vision !== undefined) {
      const featureHidden = vision.outputs[0]?.shape.at(-1);
      if (typeof featureHidden === 'number' && featureHidden !== shape.hidden) {
        throw new ModelLoadError(
          vision.path,
          `produces ${featureHidden}-d image features but the decoder takes ${shape.hidden}-d inputs_embeds`,
        );
      }
    }
    const declared = new Set(decoder.inputs.map((port) => port.name));
    const feeds: DecoderFeeds = {
      embedsType: findPort(decoder.inputs, 'inputs_embeds', decoder.path).type,
      positionIds: declared.has('position_ids'),
      numLogitsToKeep: declared.has('num_logits_to_keep'),
      useCacheBranch: declared.has('use_cache_branch'),
    };
    loaded = {
      feeds,
      embed,
      decoder,
      shape,
      pastNames,
      emptyPast: emptyPastFeeds(decoder, pastNames),
      inPlaceKv:
        (engineOptions.inPlaceKvCache ?? true) && (decoder.operators['com.microsoft:GroupQueryAttention'] ?? 0) > 0,
      inPlaceKvVerified: false,
      bufferedKv: decoder.bufferedAttentionLayers > 0,
      ...(vision ? { vision } : {}),
    };
    const summary = (session: GraphSession) => ({ inputs: session.inputs, outputs: session.outputs });
    return {
      embed: summary(embed),
      decoder: summary(decoder),
      decoderShape: shape,
      ...(vision ? { vision: summary(vision) } : {}),
    };
  }

  const engine: ModelRunner = {
    kind: 'in-process',

    async load(request: LoadRequest, options: CallOptions = {}): Promise<LoadedGraphs> {
      throwIfAborted(options.signal, 'load model');
      const { graphs } = request.files;
      const threads = request.threads === undefined ? {} : { threads: request.threads };
      const quantizedCompute = request.quantizedCompute ?? 'auto';
      const requested = request.device ?? 'cpu';
      const opened: GraphSession[] = [];
      // The first graph settles `auto`: once it ended on the CPU, the others go there without trying CUDA again.
      const heads = (engineOptions.inPlaceKvCache ?? true) ? readAttentionHeads(request.files) : undefined;
      const open = async (path: string, decoder = false): Promise<GraphSession> => {
        const device = opened.length > 0 && opened[0]!.device === 'cpu' ? 'cpu' : requested;
        const session = await openGraphSession(path, {
          ...threads,
          device,
          quantizedCompute,
          ...(decoder && heads !== undefined ? { bufferedAttention: heads } : {}),
        });
        opened.push(session);
        return session;
      };
      try {
        const embed = await open(graphs.embed_tokens!);
        const decoder = await open(graphs.decoder_model_merged!, true);
        const vision = graphs.vision_encoder === undefined ? undefined : await open(graphs.vision_encoder);
        const notices = opened.flatMap((session) => (session.notice === undefined ? [] : [session.notice]));
        const int8MatMulNodes = {
          embed_tokens: embed.int8MatMulNodes,
          decoder_model_merged: decoder.int8MatMulNodes,
          vision_encoder: vision?.int8MatMulNodes ?? 0,
        };
        return {
          ...describeAndKeep(embed, decoder, vision),
          device: decoder.device,
          notices,
          int8MatMulNodes,
          bufferedAttentionLayers: decoder.bufferedAttentionLayers,
          ...(decoder.bufferedAttentionSkipped === undefined
            ? {}
            : { bufferedAttentionSkipped: decoder.bufferedAttentionSkipped }),
        };
      } catch (error) {
        await Promise.all(opened.map((session) => session.dispose().catch(() => undefined)));
        throw error;
      }
    },

    async encodeImages(pixels: Float32Array, count: number, options: CallOptions = {}): Promise<ImageFeatures> {
      throwIfAborted(options.signal, 'encode images');
      const { vision } = loadedModel();
      if (vision === undefined)
        throw new ModelLoadError('vision_encoder', 'this model was loaded without a vision encoder');
      const pixelPort = findPort(vision.inputs, 'pixel_values', vision.path);
      const side = Math.round(Math.sqrt(pixels.length / count / 3));
      if (side * side * 3 * count !== pixels.length)
        throw new RangeError(`pixel buffer of ${pixels.length} values is not ${count} square RGB images`);
      const dims = pixelPort.shape.length === 5 ? [1, count, 3, side, side] : [count, 3, side, side];
      const feeds: Record<string, HostTensor> = { pixel_values: floatTensor(pixelPort.type, pixels, dims) };
      if (vision.inputs.some((port) => port.name === 'pixel_attention_mask')) {
        feeds['pixel_attention_mask'] = createTensor('bool', new Uint8Array(count * side * side).fill(1), [
          1,
          count,
          side,
          side,
        ]);
      }
      const outputs = await vision.run(feeds);
      const features = outputs[vision.outputs[0]!.name]!;
      const data = toFloat32(features);
      const hidden = features.dims.at(-1)!;
      const tokens = data.length / count / hidden;
      return { data, count, tokens, hidden };
    },

    async embed(ids: Int32Array, options: CallOptions = {}): Promise<Float32Array> {
      throwIfAborted(options.signal, 'embed tokens');
      return embedIds(ids);
    },

    async prefill(request: PrefillRequest, options: CallOptions = {}): Promise<ForwardResult> {
      const started = performance.now();
      const model = loadedModel();
      const hidden = model.shape.hidden;
      let context: Context = { past: model.emptyPast, length: 0 };
      if (request.base !== undefined) {
        const base = contexts.get(request.base);
        if (base === undefined)
          throw new InputRejectedError(request.base, 'no such prefilled context (released or never created)');
        // A buffer-form cache belongs to its own context. A buffered-attention decoder reads it as it is (the new
        // context copies it into buffers of its own when it writes); otherwise the new one starts from a compact copy.
        context =
          base.capacity === undefined
            ? base
            : model.bufferedKv
              ? { past: base.past, length: base.length }
              : { past: compactKv(base.past, base.length), length: base.length };
      }
      const embeds = await embedIds(request.inputIds);
      const placeholders = new Set(request.placeholderIds);
      const visualCount = request.visualRows.length / hidden;
      let written = 0;
      for (let index = 0; index < request.inputIds.length; index++) {
        if (!placeholders.has(request.inputIds[index]!)) continue;
        if (written < visualCount)
          embeds.set(request.visualRows.subarray(written * hidden, (written + 1) * hidden), index * hidden);
        written += 1;
      }
      if (written !== visualCount) {
        throw new InputRejectedError(
          'token stream',
          `the prompt has ${written} image positions but the stream carries ${visualCount} visual tokens`,
        );
      }
      const chunk = Math.max(1, Math.floor(request.chunkSize));
      let logits: Float32Array = new Float32Array(0);
      for (let start = 0; start < request.inputIds.length; start += chunk) {
        throwIfAborted(options.signal, 'prefill');
        const count = Math.min(chunk, request.inputIds.length - start);
        const rows = embeds.subarray(start * hidden, (start + count) * hidden);
        const result = await forward(context, rows, count, context.length - start + request.inputIds.length);
        context = result.context;
        logits = result.logits;
      }
      contexts.set(request.context, context);
      return { logits, length: context.length, milliseconds: performance.now() - started };
    },

    async step(request: StepRequest, options: CallOptions = {}): Promise<ForwardResult> {
      throwIfAborted(options.signal, 'decode step');
      const started = performance.now();
      const context = contexts.get(request.context);
      if (context === undefined)
        throw new InputRejectedError(request.context, 'no such context (released or never prefilled)');
      const embeds = await embedIds(Int32Array.of(request.tokenId));
      const result = await forward(context, embeds, 1);
      contexts.set(request.context, result.context);
      return {
        logits: result.logits,
        length: result.context.length,
        milliseconds: performance.now() - started,
        inPlaceKv: result.context.capacity !== undefined,
      };
    },

    async release(context: string): Promise<void> {
      contexts.delete(context);
    },

    async dispose(): Promise<void> {
      contexts.clear();
      const current = loaded;
      loaded = undefined;
      if (current === undefined) return;
      await current.embed.dispose();
      await current.decoder.dispose();
      await current.vision?.dispose();
    },
  };
  return engine;
}

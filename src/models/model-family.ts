/**
 * @file The per-family adapter contract: how a model family preprocesses frames, turns its vision encoder output
 * into per-frame token grids, and writes a token stream into its prompt format (special tokens, wrappers, chat
 * template). The runtime is family-agnostic and goes through this interface.
 */
import type { ImageTiling } from '../core/encoder.js';
import type { RgbImage } from '../core/frame.js';
import type { TokenStream } from '../core/token-stream.js';
import type { VisionConfig, VisionConfigSources } from './vision-config.js';

export type FamilyName = 'smolvlm2' | 'llava-onevision';

/** The slice of the tokenizer the prompt builders need. */
export interface PromptTokenizer {
  applyChatTemplate(
    messages: readonly { readonly role: string; readonly content: readonly Readonly<Record<string, unknown>>[] }[],
    options?: { readonly addGenerationPrompt?: boolean },
  ): string;
  readonly hasChatTemplate: boolean;
}

export interface PromptOptions {
  /** Duration of the source video in seconds (SmolVLM2's intro); default: the last visual timestamp. */
  readonly videoDuration?: number;
  /** An optional system message placed before the user turn. */
  readonly systemPrompt?: string;
  /**
   * Text the assistant turn starts with (a paper's `Answer: In the video,`), written after the template's
   * generation prompt so that generation continues it. Only `questionText` uses it.
   */
  readonly assistantPrefix?: string;
  /**
   * Index of the stream segment after which the family writes one more placeholder, for the learned video newline
   * the model folder carries (LLaVA-OneVision `image_newline`: `frames·196 + 1`). Set by the runtime, which writes
   * that row there; families without a video newline ignore it.
   */
  readonly videoNewlineAfterSegment?: number;
}

/** Vision encoder output for `count` images: `count * tokens * hidden` values. */
export interface VisionOutput {
  readonly data: Float32Array;
  readonly count: number;
  readonly tokens: number;
  readonly hidden: number;
}

/** Per-image token grids `[count, h, w, hidden]`. */
export interface TokenGrids {
  readonly data: Float32Array;
  readonly h: number;
  readonly w: number;
}

/** A family's high-resolution image path (SmolVLM2 image splitting, LLaVA-OneVision anyres). */
export interface NativeImagePath {
  readonly tiling: 'split' | 'anyres';
  /** Largest token count of one image, whatever its size. */
  readonly maxImageTokens: number;
  /** Tiling and token count of a `width` x `height` image. */
  plan(width: number, height: number): ImageTiling;
  /** The tile-sized images the vision encoder receives for `image`, in order. */
  images(image: RgbImage): { images: RgbImage[]; tiling: ImageTiling };
  /** The token rows the model receives, from the encoder output of `images(...)`, for an image of that size. */
  pack(output: VisionOutput, width: number, height: number, newline?: Float32Array): Float32Array;
}

export interface ModelFamily {
  readonly name: FamilyName;
  /** config.json `model_type` values this adapter handles. */
  readonly modelTypes: readonly string[];
  /** The vision numbers in force (from the model's files after `configure`, else the published defaults). */
  readonly vision: VisionConfig;
  /** The same family with its vision numbers read from a model's config and processor files. */
  configure(sources: VisionConfigSources, where: string): ModelFamily;
  /** Square input size of the vision encoder. */
  readonly imageSize: number;
  /** Token grid of one video frame after the family's own pooling. */
  readonly frameGrid: { readonly h: number; readonly w: number };
  /** Token grid of one image sent as a single tile (no video pooling). */
  readonly tileGrid: { readonly h: number; readonly w: number };
  /** The high-resolution image path, when the family has one and the model's processor enables it. */
  readonly nativeImage?: NativeImagePath;
  /**
   * The same family whose image path appends the model's learned newline after every packed row (LLaVA-OneVision
   * anyres with `image_newline`); absent for families without one.
   */
  withImageNewline?(newline: Float32Array): ModelFamily;
  /** Placeholder token strings whose embedding rows receive visual tokens. */
  readonly placeholderTokens: readonly string[];
  /** Writes one image's normalised CHW pixels (`3 * imageSize^2` values) at `offset` of `out`. */
  writePixels(image: RgbImage, out: Float32Array, offset: number): void;
  /** Video-frame token grids from the encoder output (SmolVLM2: 8x8; LLaVA-OV: 27x27 pooled to 14x14). */
  frameTokens(output: VisionOutput): TokenGrids;
  /** Single-image token grids (no pooling). */
  imageTokens(output: VisionOutput): TokenGrids;
  /** Prompt text up to and including the visual part, with one placeholder token per visual row. */
  contextText(stream: TokenStream, tokenizer: PromptTokenizer, options: PromptOptions): string;
  /** Prompt text after the visual part for one question (ends with the assistant turn opener). */
  questionText(question: string, tokenizer: PromptTokenizer, options: PromptOptions): string;
}

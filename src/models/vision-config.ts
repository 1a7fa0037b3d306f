/**
 * @file A model's vision numbers, read from its config and processor files rather than constants in code:
 * encoder input size and patch size (`vision_config`), pixel-shuffle `scale_factor`, tokens per image
 * (`image_seq_len` / `num_image_tokens`, checked against the other numbers), `image_mean`/`image_std`, and the
 * high-resolution image path (SmolVLM2 `do_image_splitting` with `size.longest_edge` and
 * `max_image_size.longest_edge`; LLaVA-OneVision `image_grid_pinpoints` and `vision_aspect_ratio`). A family adapter
 * turns these into its geometry; a missing field falls back to the family's published default and says so in
 * `source`.
 */
import { ModelLoadError } from '../errors/index.js';
import { readJsonObject } from './read-json-object.js';

export interface VisionConfigFiles {
  readonly config: string;
  readonly preprocessorConfig?: string;
  readonly processorConfig?: string;
}

/** Raw JSON objects of the three files (absent files are empty objects). */
export interface VisionConfigSources {
  readonly config: Readonly<Record<string, unknown>>;
  readonly preprocessor: Readonly<Record<string, unknown>>;
  readonly processor: Readonly<Record<string, unknown>>;
  /** File names that were read, for `source` strings. */
  readonly read: readonly string[];
}

export interface VisionConfig {
  /** Square input size of the vision encoder (one tile). */
  readonly imageSize: number;
  readonly patchSize: number;
  /** Pixel-shuffle factor (SmolVLM2 4); 1 without one. */
  readonly scaleFactor: number;
  /** Side of one tile's token grid: `floor(imageSize / patchSize) / scaleFactor`. */
  readonly tileSide: number;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
  /** SmolVLM2 image splitting: resize to `longestEdge`, then tiles of `tileSize`. */
  readonly splitting?: { readonly longestEdge: number; readonly tileSize: number };
  /** LLaVA-OneVision anyres: candidate resolutions `[height, width]` and the `anyres_max_N` feature cap. */
  readonly anyres?: { readonly pinpoints: readonly (readonly [number, number])[]; readonly maxTiles: number };
  /** Which files and fields the numbers came from. */
  readonly source: string;
}

function readOptionalJsonObject(path: string | undefined): Record<string, unknown> {
  return path === undefined ? {} : readJsonObject(path);
}

/** Reads the three files of a model directory. */
export function readVisionConfigSources(files: VisionConfigFiles): VisionConfigSources {
  const read = ['config.json'];
  if (files.preprocessorConfig !== undefined) read.push('preprocessor_config.json');
  if (files.processorConfig !== undefined) read.push('processor_config.json');
  return {
    config: readOptionalJsonObject(files.config),
    preprocessor: readOptionalJsonObject(files.preprocessorConfig),
    processor: readOptionalJsonObject(files.processorConfig),
    read,
  };
}

const objectAt = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const positiveNumber = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;

function triple(value: unknown): [number, number, number] | undefined {
  if (
    !Array.isArray(value) ||
    value.length !== 3 ||
    !value.every((item) => typeof item === 'number' && Number.isFinite(item))
  )
    return undefined;
  return [value[0] as number, value[1] as number, value[2] as number];
}

function pinpoints(value: unknown): [number, number][] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const pairs: [number, number][] = [];
  for (const item of value) {
    if (
      !Array.isArray(item) ||
      item.length !== 2 ||
      !item.every((side) => Number.isInteger(side) && (side as number) > 0)
    )
      return undefined;
    pairs.push([item[0] as number, item[1] as number]);
  }
  return pairs;
}

/** Defaults of a family for fields its files may omit (the published models' values). */
export interface VisionDefaults {
  readonly imageSize: number;
  readonly patchSize: number;
  readonly scaleFactor: number;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
  readonly tiling: 'split' | 'anyres' | 'none';
}

/** LLaVA-OneVision's published `image_grid_pinpoints`: every (a, b) multiple of 384 for a, b in 1..6. */
export function defaultAnyresPinpoints(tile: number): [number, number][] {
  const pairs: [number, number][] = [];
  for (let a = 1; a <= 6; a++) for (let b = 1; b <= 6; b++) pairs.push([a * tile, b * tile]);
  return pairs;
}

/** The vision numbers of a model, from its files with the family's defaults for missing fields. */
export function resolveVisionConfig(
  sources: VisionConfigSources,
  defaults: VisionDefaults,
  where: string,
): VisionConfig {
  const vision = objectAt(sources.config['vision_config']);
  const used: string[] = [];
  const fallback: string[] = [];
  const pick = <T>(name: string, value: T | undefined, otherwise: T): T => {
    if (value === undefined) {
      fallback.push(name);
      return otherwise;
    }
    used.push(name);
    return value;
  };
  const preprocessorSize = objectAt(sources.preprocessor['size']);
  const maxImageSize = objectAt(sources.preprocessor['max_image_size']);
  const imageSize = pick(
    'image_size',
    positiveNumber(vision['image_size']) ??
      positiveNumber(maxImageSize['longest_edge']) ??
      positiveNumber(preprocessorSize['height']),
    defaults.imageSize,
  );
  const patchSize = pick(
    'patch_size',
    positiveNumber(vision['patch_size']) ?? positiveNumber(sources.processor['patch_size']),
    defaults.patchSize,
  );
  const scaleFactor = pick('scale_factor', positiveNumber(sources.config['scale_factor']), defaults.scaleFactor);
  const mean = pick('image_mean', triple(sources.preprocessor['image_mean']), defaults.mean);
  const std = pick('image_std', triple(sources.preprocessor['image_std']), defaults.std);
  const patchesPerSide = Math.floor(imageSize / patchSize);
  const tileSide = patchesPerSide / scaleFactor;
  if (!Number.isInteger(tileSide) || tileSide < 1) {
    throw new ModelLoadError(
      where,
      `vision image_size ${imageSize} / patch_size ${patchSize} = ${patchesPerSide} patches per side is not divisible by scale_factor ${scaleFactor}`,
    );
  }
  const declaredTokens =
    positiveNumber(sources.processor['image_seq_len']) ?? positiveNumber(sources.processor['num_image_tokens']);
  if (declaredTokens !== undefined) {
    used.push(sources.processor['image_seq_len'] !== undefined ? 'image_seq_len' : 'num_image_tokens');
    const additional = positiveNumber(sources.processor['num_additional_image_tokens']) ?? 0;
    if (declaredTokens - additional !== tileSide * tileSide) {
      throw new ModelLoadError(
        where,
        `processor_config.json says ${declaredTokens} tokens per image but the vision config gives ${tileSide}x${tileSide} = ${tileSide * tileSide}`,
      );
    }
  }
  let splitting: VisionConfig['splitting'];
  let anyres: VisionConfig['anyres'];
  if (defaults.tiling === 'split') {
    const enabled = sources.preprocessor['do_image_splitting'];
    if (enabled !== false) {
      splitting = {
        longestEdge: pick('size.longest_edge', positiveNumber(preprocessorSize['longest_edge']), 4 * imageSize),
        tileSize: pick('max_image_size.longest_edge', positiveNumber(maxImageSize['longest_edge']), imageSize),
      };
    }
  } else if (defaults.tiling === 'anyres') {
    const aspect = sources.config['vision_aspect_ratio'];
    const match = typeof aspect === 'string' ? /^anyres_max_(\d+)$/.exec(aspect) : null;
    anyres = {
      pinpoints: pick(
        'image_grid_pinpoints',
        pinpoints(sources.config['image_grid_pinpoints']),
        defaultAnyresPinpoints(imageSize),
      ),
      maxTiles: pick('vision_aspect_ratio', match ? Number(match[1]) : undefined, 9),
    };
  }
  const source =
    `${sources.read.join(', ')}: ${used.join(', ') || 'no vision fields'}` +
    (fallback.length > 0 ? `; published defaults for ${fallback.join(', ')}` : '');
  return {
    imageSize,
    patchSize,
    scaleFactor,
    tileSide,
    mean,
    std,
    ...(splitting ? { splitting } : {}),
    ...(anyres ? { anyres } : {}),
    source,
  };
}

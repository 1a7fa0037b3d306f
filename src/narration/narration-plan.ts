/**
 * @file How a pipeline file drives narration. Narration is a streaming run of a pipeline: the streaming scene stage
 * cuts the live frames into scenes (src/scenes), then every closed scene goes through a per-scene graph (the stage
 * graph of src/graph, run with runGraph on that scene's frames), its output is prefixed with the memory of earlier
 * scenes and handed to the runtime.
 *
 * - A pipeline whose output is a scene stage (`scene-tilling`, e.g. the built-in `scenetilling`, or
 *   `scene-stream`): the stage's own parameters apply. `scene-stream`'s cut parameters configure the detector
 *   (`scene-tilling`'s offline top-k cut cannot stream, so the detector keeps the narration options); its
 *   `memoryTokens`, `sceneFrames`, `sceneGrid` and the memories it keeps (`k` earlier scenes for `scene-tilling`,
 *   `maxMemoryScenes` for `scene-stream`) become the memory and the per-scene graph: the stages the
 *   scene stage reads from (usually `encode`), then `spatial-pool` to `sceneGrid` and every token of the pooled
 *   frames — the same "current scene in full, earlier scenes as memory" layout the stage produces offline.
 * - Any other pipeline (`pllava`, `slowfast-llava`, a user file...): the whole pipeline is the per-scene graph, run
 *   on the scene's frames with the pipeline's own frame rule (its `frames.count`, or `sceneFrames`).
 *
 * Options the caller sets explicitly (`sceneFrames`, `memoryTokens`, `memoryScenes`) win over the pipeline.
 *
 * Budgets and context apply as in `ask`: before the first frame, the per-scene graph is negotiated for the largest
 * scene (its frame count) against the pipeline's budget — less the memory tokens where the budget counts them (a
 * scene stage's budget, or an explicit `budget` for the whole prompt) — and the memory plus the scene's tokens
 * against the model's context window; an over-budget plan fails with BudgetExceededError (exit 5) naming the
 * pipeline. Every scene's graph is negotiated again with its real frame count.
 */
import { geometryOf, type VisualEncoder } from '../core/encoder.js';
import { BudgetExceededError, PipelineConfigError } from '../errors/index.js';
import { buildGraph, resolveBudget, type BuiltGraph } from '../graph/build-graph.js';
import { sourceStageId, type PipelineDefinition, type StageSpec } from '../graph/pipeline-definition.js';
import type { SceneDetectorOptions } from '../scenes/streaming-scene-detector.js';
import type { SceneDescriptorKind } from '../scenes/scene-descriptor.js';
import type { FrameIndexRule } from '../sampling/frame-indices.js';

export interface NarrationPlan {
  readonly pipeline: PipelineDefinition;
  /** The graph run on every scene's frames. */
  readonly sceneDefinition: PipelineDefinition;
  /** Frames of a scene given to the per-scene graph, and how they are chosen among the scene's frames. */
  readonly sceneFrames: number;
  readonly frameRule: FrameIndexRule;
  readonly memoryTokens: number;
  readonly memoryScenes: number;
  /** Detector settings the pipeline's scene stage sets (they override the narration options). */
  readonly detector: Partial<SceneDetectorOptions>;
  readonly descriptor?: SceneDescriptorKind;
  /** Visual tokens of the largest scene (upper bound), and the budget it was checked against. */
  readonly sceneTokens: number;
  readonly budget: number;
}

export interface NarrationPlanOptions {
  readonly encoder: VisualEncoder;
  /** Used when the pipeline does not state them. */
  readonly defaults: { readonly sceneFrames: number; readonly memoryTokens: number; readonly memoryScenes: number };
  /** Set by the caller explicitly: they win over the pipeline. */
  readonly overrides?: {
    readonly sceneFrames?: number | undefined;
    readonly memoryTokens?: number | undefined;
    readonly memoryScenes?: number | undefined;
  };
  /** The model's context window (positions), when known. */
  readonly contextWindow?: number;
  /** Visual-token budget of one whole narration prompt, memories included (default: the pipeline's, see above). */
  readonly budget?: number;
}

const sceneStages = new Set(['scene-tilling', 'scene-stream']);

function inputsOf(spec: StageSpec, previous: string): string[] {
  if (spec.inputs === undefined) return [previous];
  if (typeof spec.inputs === 'string') return [spec.inputs];
  if (Array.isArray(spec.inputs)) return [...(spec.inputs as readonly string[])];
  return Object.values(spec.inputs as Readonly<Record<string, string>>);
}

/** The stages `id` depends on (itself excluded), in file order, with their inputs made explicit. */
function ancestors(definition: PipelineDefinition, id: string): StageSpec[] {
  const byId = new Map<string, { spec: StageSpec; inputs: string[] }>();
  definition.stages.forEach((spec, n) =>
    byId.set(spec.id, { spec, inputs: inputsOf(spec, n === 0 ? sourceStageId : definition.stages[n - 1]!.id) }),
  );
  const needed = new Set<string>();
  const visit = (stage: string): void => {
    for (const input of byId.get(stage)?.inputs ?? []) {
      if (input === sourceStageId || needed.has(input)) continue;
      needed.add(input);
      visit(input);
    }
  };
  visit(id);
  return definition.stages
    .filter((spec) => needed.has(spec.id))
    .map((spec) => ({
      ...spec,
      inputs: byId.get(spec.id)!.inputs.length === 1 ? byId.get(spec.id)!.inputs[0]! : byId.get(spec.id)!.inputs,
    }));
}

function numberParam(spec: StageSpec, name: string): number | undefined {
  const value = spec.params[name];
  return typeof value === 'number' ? value : undefined;
}

/** Negotiates the per-scene graph for `frames` frames of `size`; throws BudgetExceededError / GraphNegotiationError. */
export function sceneGraph(
  plan: Pick<NarrationPlan, 'sceneDefinition' | 'budget'>,
  encoder: NarrationPlanOptions['encoder'],
  frames: number,
  size: { width: number; height: number },
): BuiltGraph {
  return buildGraph(plan.sceneDefinition, {
    encoder,
    source: { count: frames, width: size.width, height: size.height },
    budget: plan.budget,
  });
}

/** Derives the narration plan of `pipeline` and checks its budget and context before anything is decoded. */
export function planNarration(pipeline: PipelineDefinition, options: NarrationPlanOptions): NarrationPlan {
  const output = pipeline.stages.find((spec) => spec.id === pipeline.output);
  if (!output)
    throw new PipelineConfigError(
      pipeline.source,
      'output',
      `output stage '${pipeline.output}' is not in the pipeline`,
    );
  let sceneDefinition: PipelineDefinition;
  let sceneFrames = options.defaults.sceneFrames;
  let frameRule: FrameIndexRule = 'np_linspace_int';
  let memoryTokens = options.defaults.memoryTokens;
  let memoryScenes = options.defaults.memoryScenes;
  const detector: Partial<SceneDetectorOptions> = {};
  let descriptor: SceneDescriptorKind | undefined;
  if (sceneStages.has(output.use)) {
    sceneFrames = numberParam(output, 'sceneFrames') ?? sceneFrames;
    memoryTokens = numberParam(output, 'memoryTokens') ?? memoryTokens;
    // scene-tilling keeps k earlier scenes as memory (k cuts); scene-stream states maxMemoryScenes.
    memoryScenes = numberParam(output, output.use === 'scene-tilling' ? 'k' : 'maxMemoryScenes') ?? memoryScenes;
  }
  const overrides = options.overrides ?? {};
  if (sceneStages.has(output.use)) {
    sceneFrames = overrides.sceneFrames ?? sceneFrames;
    memoryTokens = overrides.memoryTokens ?? memoryTokens;
    memoryScenes = overrides.memoryScenes ?? memoryScenes;
    if (output.use === 'scene-stream') {
      for (const name of ['threshold', 'ratio', 'alpha', 'minDepth', 'minSceneSeconds', 'maxSceneSeconds'] as const) {
        const value = numberParam(output, name);
        if (value !== undefined) (detector as Record<string, number>)[name] = value;
      }
      if (output.params.rule === 'threshold' || output.params.rule === 'depth')
        (detector as { rule?: string }).rule = output.params.rule;
      const kind = output.params.descriptor;
      if (kind === 'hsv' || kind === 'model' || kind === 'hsv+model') descriptor = kind;
    }
    const grid = (output.params.sceneGrid as readonly [number, number] | undefined) ?? [12, 12];
    const feeding = ancestors(pipeline, output.id);
    // The stage the scene stage reads its features from (its `in` port); none for scene-stream (it reads frames).
    const position = pipeline.stages.indexOf(output);
    const direct = inputsOf(output, position === 0 ? sourceStageId : pipeline.stages[position - 1]!.id)[0];
    // scene-tilling reads features (pool them); scene-stream reads frames (encode them first).
    const reader = direct ?? sourceStageId;
    const encodeStages: StageSpec[] =
      output.use === 'scene-stream'
        ? [...feeding, { id: 'scene-encode', use: 'encode', inputs: reader, params: {} }]
        : feeding;
    const features = output.use === 'scene-stream' ? 'scene-encode' : reader;
    // The grid of the features the scene stage reads (negotiated): the pool never upsamples past it.
    const probe = buildGraph(
      {
        ...pipeline,
        onOverBudget: 'fail',
        frames: { count: sceneFrames, rule: frameRule },
        stages: [...encodeStages, { id: 'scene-probe', use: 'uniform', inputs: features, params: {} }],
        output: 'scene-probe',
      },
      {
        encoder: options.encoder,
        source: { count: sceneFrames, ...options.encoder.inputSize },
        budget: Number.MAX_SAFE_INTEGER,
      },
    );
    const featureCaps = probe.nodes.find((node) => node.id === features)?.caps;
    const limit =
      featureCaps?.kind === 'features' ? featureCaps : { h: options.encoder.grid.h, w: options.encoder.grid.w };
    sceneDefinition = {
      ...pipeline,
      name: `${pipeline.name} (per scene)`,
      onOverBudget: 'fail',
      frames: {
        count: sceneFrames,
        rule: frameRule,
        ...(pipeline.frames.resize ? { resize: pipeline.frames.resize } : {}),
      },
      stages: [
        ...encodeStages,
        // Pooled to sceneGrid, never upsampled past the grid it reads (as the scene stages cap it).
        {
          id: 'scene-pool',
          use: 'spatial-pool',
          inputs: features,
          params: { grid: [Math.min(grid[0], limit.h), Math.min(grid[1], limit.w)], mode: 'area' },
        },
        { id: 'scene', use: 'uniform', inputs: 'scene-pool', params: {} },
      ],
      output: 'scene',
    };
  } else {
    sceneFrames = overrides.sceneFrames ?? pipeline.frames.count ?? sceneFrames;
    memoryTokens = overrides.memoryTokens ?? memoryTokens;
    memoryScenes = overrides.memoryScenes ?? memoryScenes;
    frameRule = pipeline.frames.rule ?? frameRule;
    sceneDefinition = {
      ...pipeline,
      onOverBudget: 'fail',
      frames: { ...pipeline.frames, count: sceneFrames, rule: frameRule },
    };
  }
  const pipelineBudget = options.budget ?? resolveBudget(pipeline.budget, geometryOf(options.encoder));
  const memoryBound = memoryScenes * memoryTokens;
  // A scene stage's budget already counts its memories (scenetilling: k x 32 + the last scene); another pipeline's
  // budget is for its own output, so there the memories only have to fit the context window. An explicit budget
  // bounds the whole prompt.
  const memoryInBudget = sceneStages.has(output.use) || options.budget !== undefined;
  const sceneBudget = pipelineBudget - (memoryInBudget ? memoryBound : 0);
  if (sceneBudget < 1)
    throw new BudgetExceededError(
      `narrate with pipeline ${pipeline.name}: ${memoryScenes} memories of ${memoryTokens} tokens`,
      memoryBound + 1,
      pipelineBudget,
    );
  const plan = {
    pipeline,
    sceneDefinition,
    sceneFrames,
    frameRule,
    memoryTokens,
    memoryScenes,
    detector,
    ...(descriptor ? { descriptor } : {}),
    budget: sceneBudget,
  };
  let graph: BuiltGraph;
  try {
    graph = sceneGraph(plan, options.encoder, sceneFrames, options.encoder.inputSize);
  } catch (error) {
    if (error instanceof BudgetExceededError) {
      const what = memoryInBudget
        ? `one scene (${sceneFrames} frames) plus ${memoryBound} memory tokens`
        : `one scene (${sceneFrames} frames)`;
      throw new BudgetExceededError(
        `narrate with pipeline ${pipeline.name}: ${what}`,
        error.needed + (memoryInBudget ? memoryBound : 0),
        pipelineBudget,
        { cause: error },
      );
    }
    throw error;
  }
  if (options.contextWindow !== undefined && graph.tokenCount + memoryBound > options.contextWindow) {
    throw new BudgetExceededError(
      `narrate with pipeline ${pipeline.name}: one scene plus memories in the model's context window`,
      graph.tokenCount + memoryBound,
      options.contextWindow,
    );
  }
  return { ...plan, sceneTokens: graph.tokenCount };
}

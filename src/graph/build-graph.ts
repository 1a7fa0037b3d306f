/**
 * @file Builds the stage graph of a pipeline before anything is decoded: resolves each stage and its input bindings,
 * sorts the DAG topologically (a cycle is an error naming its stages), checks that every port exists and receives
 * the kind it accepts, runs every stage's `negotiate` from the frame source to the output, and checks the output's
 * visual token count against the budget and the model's context window. Every error names the stage.
 */
import { geometryOf, type EncoderGeometry, type VisualEncoder } from '../core/encoder.js';
import { BudgetExceededError, GraphNegotiationError, VidtokError } from '../errors/index.js';
import type { Caps, CapsOf } from './caps.js';
import { sourceStageId, type BudgetSpec, type PipelineDefinition, type StageSpec } from './pipeline-definition.js';
import type { NegotiationContext } from './stage.js';
import { findStage, type AnyStageDescriptor } from './stages/index.js';

export interface GraphNode {
  readonly id: string;
  readonly stage: AnyStageDescriptor;
  /** Parameters with the stage defaults applied. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Port → id of the node (or `frames`, the source) feeding it. */
  readonly inputs: Readonly<Record<string, string>>;
  /** Negotiated output caps. */
  readonly caps: Caps;
}

export interface BuiltGraph {
  readonly definition: PipelineDefinition;
  /** Caps of the frame source the graph was negotiated with. */
  readonly source: CapsOf<'frames'>;
  /** Nodes that feed the output, in topological order (the source excluded). */
  readonly nodes: readonly GraphNode[];
  readonly output: GraphNode;
  /** Visual tokens the output will hold (an upper bound when `tokenCountIsUpperBound`). */
  readonly tokenCount: number;
  readonly tokenCountIsUpperBound: boolean;
  readonly budget: number;
  /** The encoder geometry the graph was resolved against. */
  readonly geometry: EncoderGeometry;
  /** Approximation notes of the stages used. */
  readonly approximations: readonly string[];
  /** Stages listed in the file that do not feed the output (not run). */
  readonly unusedStages: readonly string[];
}

export interface BuildGraphOptions {
  readonly encoder: NegotiationContext['encoder'] & Pick<VisualEncoder, 'geometry'>;
  /** Frames the source will deliver (count exact, or an upper bound with `atMost`) and their size. */
  readonly source: {
    readonly count: number;
    readonly width: number;
    readonly height: number;
    readonly atMost?: boolean;
  };
  /** Total visual-token budget of the run; default the pipeline's own. */
  readonly budget?: number;
  /** The model's context window in positions, when a model will consume the tokens. */
  readonly contextWindow?: number;
}

/** The budget in tokens for an encoder: an absolute count, or multiples of the encoder's per-frame/image numbers. */
export function resolveBudget(budget: BudgetSpec, geometry: EncoderGeometry): number {
  if (typeof budget === 'number') return budget;
  const total =
    (budget.frameTokens ?? 0) * geometry.tokensPerFrame +
    (budget.tileTokens ?? 0) * geometry.tileTokens +
    (budget.imageTokens ?? 0) * geometry.maxImageTokens +
    (budget.tokens ?? 0);
  return Math.max(1, Math.floor(total + 1e-9));
}

/** A budget spec as text (`vidtok pipelines`, docs): `2304`, or `4 x frame tokens + 1 x tile tokens`. */
export function describeBudget(budget: BudgetSpec): string {
  if (typeof budget === 'number') return String(budget);
  const terms: string[] = [];
  if (budget.frameTokens) terms.push(`${budget.frameTokens} x frame tokens`);
  if (budget.tileTokens) terms.push(`${budget.tileTokens} x image tile tokens`);
  if (budget.imageTokens) terms.push(`${budget.imageTokens} x max image tokens`);
  if (budget.tokens) terms.push(String(budget.tokens));
  return terms.join(' + ');
}

/** A negotiation error naming the stage by its id (and the registry name it uses, when different). */
function mismatch(spec: Pick<StageSpec, 'id' | 'use'>, problem: string, cause?: unknown): GraphNegotiationError {
  const text = spec.id === spec.use ? problem : `(${spec.use}) ${problem}`;
  return new GraphNegotiationError(spec.id, text, cause === undefined ? undefined : { cause });
}

/** Port bindings of one stage spec, checked against the stage's declared ports. */
function bindInputs(spec: StageSpec, stage: AnyStageDescriptor, previous: string): Record<string, string> {
  const declared = Object.keys(stage.inputs);
  const raw = spec.inputs ?? previous;
  let bound: Record<string, string>;
  if (typeof raw === 'string') {
    if (stage.variadic) bound = { '0': raw };
    else if (declared.length === 1) bound = { [declared[0]!]: raw };
    else throw mismatch(spec, `has ports ${declared.join(', ')}: bind them by name (inputs: {port: stage})`);
  } else if (Array.isArray(raw)) {
    if (stage.variadic) bound = Object.fromEntries(raw.map((id, at) => [String(at), id]));
    else if (raw.length === 1 && declared.length === 1) bound = { [declared[0]!]: raw[0]! };
    else throw mismatch(spec, `takes one input per port (${declared.join(', ')}), not a list of ${raw.length}`);
  } else {
    bound = { ...(raw as Record<string, string>) };
    if (stage.variadic) {
      for (const port of Object.keys(bound)) {
        if (!/^\d+$/.test(port)) throw mismatch(spec, `has no input port '${port}' (it takes a list of inputs)`);
      }
    }
  }
  if (!stage.variadic) {
    for (const port of Object.keys(bound)) {
      if (!declared.includes(port)) throw mismatch(spec, `has no input port '${port}' (ports: ${declared.join(', ')})`);
    }
    for (const port of declared) {
      if (bound[port] === undefined) throw mismatch(spec, `input port '${port}' is not connected`);
    }
  }
  return bound;
}

/** Topological order of the stage ids (Kahn); a cycle throws naming the stages on it. */
function topologicalOrder(
  specs: readonly StageSpec[],
  bindings: ReadonlyMap<string, Record<string, string>>,
): string[] {
  const indegree = new Map<string, number>();
  const consumers = new Map<string, string[]>();
  for (const spec of specs) {
    const producers = new Set(Object.values(bindings.get(spec.id)!).filter((id) => id !== sourceStageId));
    indegree.set(spec.id, producers.size);
    for (const producer of producers) consumers.set(producer, [...(consumers.get(producer) ?? []), spec.id]);
  }
  const ready = specs.filter((spec) => indegree.get(spec.id) === 0).map((spec) => spec.id);
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const consumer of consumers.get(id) ?? []) {
      const left = indegree.get(consumer)! - 1;
      indegree.set(consumer, left);
      if (left === 0) ready.push(consumer);
    }
  }
  if (order.length < specs.length) {
    const stuck = new Set(specs.map((spec) => spec.id).filter((id) => !order.includes(id)));
    // Walk producer links inside the stuck set until a stage repeats: that is the cycle.
    let at = [...stuck][0]!;
    const path: string[] = [];
    while (!path.includes(at)) {
      path.push(at);
      at = Object.values(bindings.get(at)!).find((id) => stuck.has(id))!;
    }
    // `path` follows producers; reversed it is the data flow, closed by repeating its first stage.
    const flow = path.slice(path.indexOf(at)).reverse();
    const cycle = [...flow, flow[0]!];
    throw new GraphNegotiationError(cycle[0]!, `is part of a cycle: ${cycle.join(' -> ')}`);
  }
  return order;
}

/** Builds and negotiates the graph of `definition`; throws GraphNegotiationError or BudgetExceededError. */
export function buildGraph(definition: PipelineDefinition, options: BuildGraphOptions): BuiltGraph {
  const specs = new Map<string, StageSpec>();
  const stages = new Map<string, AnyStageDescriptor>();
  const bindings = new Map<string, Record<string, string>>();
  let previous = sourceStageId;
  for (const spec of definition.stages) {
    if (spec.id === sourceStageId)
      throw new GraphNegotiationError(spec.id, `the id '${sourceStageId}' is reserved for the frame source`);
    if (specs.has(spec.id)) throw new GraphNegotiationError(spec.id, 'the id is used by two stages');
    const stage = findStage(spec.use);
    if (stage === undefined) throw new GraphNegotiationError(spec.id, `unknown stage '${spec.use}'`);
    specs.set(spec.id, spec);
    stages.set(spec.id, stage);
    bindings.set(spec.id, bindInputs(spec, stage, previous));
    previous = spec.id;
  }
  for (const [id, bound] of bindings) {
    for (const [port, producer] of Object.entries(bound)) {
      if (producer !== sourceStageId && !specs.has(producer)) {
        throw mismatch(specs.get(id)!, `input port '${port}' refers to unknown stage '${producer}'`);
      }
      if (producer === id) throw new GraphNegotiationError(id, `is part of a cycle: ${id} -> ${id}`);
    }
  }
  const order = topologicalOrder(definition.stages, bindings);
  if (!specs.has(definition.output)) {
    throw new GraphNegotiationError(definition.output, `the output names no stage of pipeline '${definition.name}'`);
  }

  // Only stages that feed the output are negotiated and run.
  const needed = new Set<string>();
  const visit = (id: string): void => {
    if (id === sourceStageId || needed.has(id)) return;
    needed.add(id);
    for (const producer of Object.values(bindings.get(id)!)) visit(producer);
  };
  visit(definition.output);

  const source: CapsOf<'frames'> = { kind: 'frames', ...options.source };
  const caps = new Map<string, Caps>([[sourceStageId, source]]);
  const nodes: GraphNode[] = [];
  const geometry = geometryOf(options.encoder);
  const negotiation: NegotiationContext = { encoder: options.encoder, geometry };
  let upperBound = false;
  for (const id of order) {
    if (!needed.has(id)) continue;
    const spec = specs.get(id)!;
    const stage = stages.get(id)!;
    const bound = bindings.get(id)!;
    const inputCaps: Record<string, Caps> = {};
    for (const [port, producer] of Object.entries(bound)) {
      const producerCaps = caps.get(producer)!;
      const accepted = stage.variadic ? (stage.inputs.in ?? Object.values(stage.inputs)[0]) : stage.inputs[port];
      if (accepted !== undefined && producerCaps.kind !== accepted) {
        throw mismatch(
          spec,
          `input port '${port}' accepts ${accepted} but '${producer}' produces ${producerCaps.kind}`,
        );
      }
      inputCaps[port] = producerCaps;
    }
    let params: Record<string, unknown> = { ...stage.defaults, ...spec.params };
    let output: Caps;
    try {
      if (stage.resolve !== undefined) params = stage.resolve(params, inputCaps, negotiation);
      output = stage.negotiate(inputCaps, params, negotiation);
    } catch (error) {
      if (error instanceof GraphNegotiationError) throw mismatch(spec, error.problem, error);
      if (VidtokError.isInstance(error)) throw error;
      throw mismatch(spec, error instanceof Error ? error.message : String(error), error);
    }
    if (output.kind !== stage.output) {
      throw mismatch(spec, `negotiated ${output.kind} but declares ${stage.output} (a bug in the stage)`);
    }
    // A data-dependent count (the stage's own, or any input's) makes this output's count an upper bound.
    const bounded =
      stage.countIsUpperBound === true ||
      Object.values(inputCaps).some((input) => 'atMost' in input && input.atMost === true);
    if (bounded && output.kind !== 'image') output = { ...output, atMost: true };
    caps.set(id, output);
    nodes.push({ id, stage, params, inputs: bound, caps: output });
  }
  const outputNode = nodes.find((node) => node.id === definition.output)!;
  if (outputNode.caps.kind !== 'tokens') {
    throw mismatch(specs.get(outputNode.id)!, `is the output but produces ${outputNode.caps.kind}, not tokens`);
  }
  const tokenCount = outputNode.caps.count;
  upperBound = outputNode.caps.atMost === true;
  const budget = options.budget ?? resolveBudget(definition.budget, geometry);
  const bound = upperBound ? ' at most' : '';
  if (tokenCount > budget) {
    throw new BudgetExceededError(
      `pipeline '${definition.name}' with ${source.count} frames would produce${bound} ${tokenCount} visual tokens`,
      tokenCount,
      budget,
    );
  }
  if (options.contextWindow !== undefined && tokenCount > options.contextWindow) {
    throw new BudgetExceededError(
      `pipeline '${definition.name}' would produce${bound} ${tokenCount} visual tokens, more than the model's context window`,
      tokenCount,
      options.contextWindow,
    );
  }
  return {
    definition,
    source,
    nodes,
    output: outputNode,
    tokenCount,
    tokenCountIsUpperBound: upperBound,
    budget,
    geometry,
    approximations: [...new Set(nodes.flatMap((node) => (node.stage.approximation ? [node.stage.approximation] : [])))],
    unusedStages: definition.stages.map((spec) => spec.id).filter((id) => !needed.has(id)),
  };
}

export interface PlannedGraph extends BuiltGraph {
  /** Set when `onOverBudget: reduce-frames` lowered the frame count to fit the budget. */
  readonly reducedFrames?: { readonly from: number; readonly to: number };
}

/**
 * Builds the graph and applies the pipeline's over-budget rule: `fail` rethrows BudgetExceededError;
 * `reduce-frames` keeps the largest frame count (down to 1) whose negotiated token count fits, and reports it.
 */
export function planGraph(definition: PipelineDefinition, options: BuildGraphOptions): PlannedGraph {
  try {
    return buildGraph(definition, options);
  } catch (error) {
    if (!(error instanceof BudgetExceededError) || definition.onOverBudget !== 'reduce-frames') throw error;
    for (let count = options.source.count - 1; count >= 1; count--) {
      try {
        const graph = buildGraph(definition, { ...options, source: { ...options.source, count } });
        return { ...graph, reducedFrames: { from: options.source.count, to: count } };
      } catch (retryError) {
        if (!(retryError instanceof BudgetExceededError) && !(retryError instanceof GraphNegotiationError))
          throw retryError;
      }
    }
    throw error;
  }
}

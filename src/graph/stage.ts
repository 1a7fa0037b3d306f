/**
 * @file The stage contract. A stage declares its named input ports and its output kind, a JSON schema for its
 * parameters, how its output caps follow from its input caps (`negotiate`, run at graph-build time) and how it
 * turns input payloads into an output payload (`run`). Strategy stages wrap the pure functions in
 * `src/strategies/`; see `src/graph/stages/` for the registry.
 */
import type { EncoderGeometry, VisualEncoder } from '../core/encoder.js';
import type { VideoFrame } from '../core/frame.js';
import type { Caps, CapsKind } from './caps.js';
import type { Payload } from './payload.js';

/** What a running stage can reach besides its inputs. */
export interface StageContext {
  /** The encoder of this run (the `pixels` encoder or a model's vision encoder). */
  readonly encoder: VisualEncoder;
  /** The user's question, for question-conditioned stages (B-VLLM). */
  readonly question?: string;
  readonly signal: AbortSignal;
  /** Diagnostics for the run's metadata (never stdout). */
  readonly note: (key: string, value: unknown) => void;
}

/** Static facts the negotiation of a stage may need. */
export interface NegotiationContext {
  readonly encoder: Pick<VisualEncoder, 'name' | 'dim' | 'inputSize' | 'grid'>;
  /** What the encoder does with frames and images (token grids, image path, tiling). */
  readonly geometry: EncoderGeometry;
}

export interface StageDescriptor<Params extends object = Record<string, unknown>> {
  /** Registry name used in pipeline files (`pllava`, `slowfast`, `encode`...). */
  readonly name: string;
  /** Bumped when the stage's output for the same input changes. */
  readonly version: number;
  /** One line for `vidtok pipelines` and docs. */
  readonly description: string;
  /** Named input ports and the caps kind each accepts. A single-input stage uses the port name `in`. */
  readonly inputs: Readonly<Record<string, CapsKind>>;
  readonly output: CapsKind;
  /** JSON schema of the params object (validated when a pipeline file is loaded). */
  readonly paramsSchema: Readonly<Record<string, unknown>>;
  readonly defaults: Params;
  /** Set when the stage approximates a learned component; copied into the run's metadata. */
  readonly approximation?: string;
  /**
   * Output caps for the given input caps; throws GraphNegotiationError naming the mismatch (wrong kind, too few
   * frames, odd grid the strategy cannot take...).
   */
  negotiate(inputs: Readonly<Record<string, Caps>>, params: Params, context: NegotiationContext): Caps;
  /**
   * Turns grid-relative parameters (a pooling factor, samples per frame's tokens, a fast-grid fraction) into the
   * absolute numbers for this encoder and these inputs. Called once at build time, before `negotiate`; the result
   * is what `negotiate` and `run` receive and what the run's metadata reports. Absent: parameters are absolute.
   */
  resolve?(params: Params, inputs: Readonly<Record<string, Caps>>, context: NegotiationContext): Params;
  run(inputs: Readonly<Record<string, Payload>>, params: Params, context: StageContext): Promise<Payload>;
  /**
   * Optional streaming form for a stage whose single input port `in` takes frames: it receives the frames in batches
   * as they are decoded (through a bounded queue) instead of all at once, so decoding and encoding overlap. It must
   * produce the same payload as `run` would on the concatenated batches.
   */
  stream?(batches: AsyncIterable<readonly VideoFrame[]>, params: Params, context: StageContext): Promise<Payload>;
  /**
   * When true the stage takes any number of inputs of the kind of its `in` port (e.g. `concat`); a pipeline binds
   * them as a list and the stage receives them under the ports `0`, `1`, ... in that order.
   */
  readonly variadic?: boolean;
  /**
   * When true the token count in the stage's output caps is an upper bound (the real count depends on the data,
   * e.g. scene lengths); the budget check uses the bound.
   */
  readonly countIsUpperBound?: boolean;
}

/**
 * @file `defineStage`: the descriptor skeleton every single-input stage shares, written once. A stage gives its
 * input and output kinds, its parameter properties and its logic; `defineStage` builds the `in` port, the closed
 * params schema (`additionalProperties: false`) and the caps and payload checks on `in` (GraphNegotiationError
 * naming the stage), so `negotiate`, `resolve` and `run` receive the input already narrowed to its kind.
 */
import type { VideoFrame } from '../core/frame.js';
import type { CapsKind, CapsOf } from './caps.js';
import type { PayloadOf } from './payload.js';
import type { NegotiationContext, StageContext, StageDescriptor } from './stage.js';
import { expectCaps, expectPayload } from './stages/stage-helpers.js';

/** A JSON schema (or a fragment of one). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** The schema of a params object: exactly these properties, none other. */
export function paramsObjectSchema(properties: Readonly<Record<string, JsonSchema>>): JsonSchema {
  return { type: 'object', additionalProperties: false, properties };
}

/** Schema of a fixed-length array of integers in `[minimum, maximum]` (a pooled grid `[h, w]`, a shape). */
export function integerTupleSchema(length: number, maximum: number, minimum = 1): JsonSchema {
  return { type: 'array', items: { type: 'integer', minimum, maximum }, minItems: length, maxItems: length };
}

/** What a single-input stage declares; `defineStage` turns it into a `StageDescriptor`. */
export interface SingleInputStageDefinition<Params extends object, In extends CapsKind, Out extends CapsKind> {
  /** Registry name used in pipeline files. */
  readonly name: string;
  /** Bumped when the stage's output for the same input changes. */
  readonly version: number;
  /** One line for `vidtok pipelines` and docs. */
  readonly description: string;
  /** Caps kind of the single input port `in`. */
  readonly input: In;
  readonly output: Out;
  /** The params' JSON-schema properties (the object schema around them is closed). */
  readonly properties: Readonly<Record<string, JsonSchema>>;
  /** Not an inference site: `Params` comes from the declared type of the stage constant. */
  readonly defaults: NoInfer<Params>;
  readonly approximation?: string;
  readonly countIsUpperBound?: boolean;
  /** As `StageDescriptor.resolve`, with the checked caps of `in`. */
  resolve?(params: Params, input: CapsOf<In>, context: NegotiationContext): Params;
  /** As `StageDescriptor.negotiate`, with the checked caps of `in`. */
  negotiate(input: CapsOf<In>, params: Params, context: NegotiationContext): CapsOf<Out>;
  /** As `StageDescriptor.run`, with the checked payload of `in`. */
  run(input: PayloadOf<In>, params: Params, context: StageContext): Promise<PayloadOf<Out>>;
  /** As `StageDescriptor.stream` (frames input only). */
  stream?(
    batches: AsyncIterable<readonly VideoFrame[]>,
    params: Params,
    context: StageContext,
  ): Promise<PayloadOf<Out>>;
}

/** The stage descriptor of a single-input stage. */
export function defineStage<Params extends object, In extends CapsKind, Out extends CapsKind>(
  definition: SingleInputStageDefinition<Params, In, Out>,
): StageDescriptor<Params> {
  const { name, input, resolve, negotiate, run, stream } = definition;
  return {
    name,
    version: definition.version,
    description: definition.description,
    inputs: { in: input },
    output: definition.output,
    paramsSchema: paramsObjectSchema(definition.properties),
    defaults: definition.defaults,
    ...(definition.approximation !== undefined ? { approximation: definition.approximation } : {}),
    ...(definition.countIsUpperBound === true ? { countIsUpperBound: true } : {}),
    ...(resolve !== undefined
      ? { resolve: (params, inputs, context) => resolve(params, expectCaps(name, inputs, 'in', input), context) }
      : {}),
    negotiate: (inputs, params, context) => negotiate(expectCaps(name, inputs, 'in', input), params, context),
    run: (inputs, params, context) => run(expectPayload(name, inputs, 'in', input), params, context),
    ...(stream !== undefined ? { stream } : {}),
  };
}

/**
 * @file A single-stage test harness (after GStreamer's `GstHarness`): runs one stage descriptor on given inputs
 * exactly as the graph would — defaults merged, `resolve`, `negotiate`, `run`, then the produced-equals-planned check
 * — without a pipeline file, a frame source or an encoder model. Strategy authors use it to test a stage on the
 * token grids of every model family (see docs/adding-a-strategy.md).
 */
import type { EncoderGeometry, VisualEncoder } from '../core/encoder.js';
import { geometryOf } from '../core/encoder.js';
import type { Caps } from './caps.js';
import type { Payload } from './payload.js';
import type { NegotiationContext, StageContext, StageDescriptor } from './stage.js';
import { checkStageOutput } from './stage-output-check.js';

export interface StageHarnessInput {
  readonly caps: Caps;
  readonly payload: Payload;
}

export interface StageHarnessOptions {
  /** The encoder the stage's context reaches (its geometry is used unless `geometry` is given). */
  readonly encoder: VisualEncoder;
  readonly geometry?: EncoderGeometry;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly question?: string;
  readonly signal?: AbortSignal;
}

export interface StageHarnessResult<Params> {
  /** Parameters after defaults and `resolve`. */
  readonly params: Params;
  /** Negotiated output caps. */
  readonly caps: Caps;
  readonly payload: Payload;
  /** What the stage noted for the run's metadata. */
  readonly notes: Readonly<Record<string, unknown>>;
}

/** Runs `stage` once on `inputs` (port -> caps + payload); throws what the stage or the output check throws. */
export async function runStageHarness<Params extends object>(
  stage: StageDescriptor<Params>,
  inputs: Readonly<Record<string, StageHarnessInput>>,
  options: StageHarnessOptions,
): Promise<StageHarnessResult<Params>> {
  const geometry = options.geometry ?? geometryOf(options.encoder);
  const negotiation: NegotiationContext = { encoder: options.encoder, geometry };
  const inputCaps: Record<string, Caps> = {};
  const inputPayloads: Record<string, Payload> = {};
  for (const [port, input] of Object.entries(inputs)) {
    inputCaps[port] = input.caps;
    inputPayloads[port] = input.payload;
  }
  let params = { ...stage.defaults, ...(options.params ?? {}) } as Params;
  if (stage.resolve !== undefined) params = stage.resolve(params, inputCaps, negotiation);
  let caps = stage.negotiate(inputCaps, params, negotiation);
  const bounded =
    stage.countIsUpperBound === true ||
    Object.values(inputCaps).some((input) => 'atMost' in input && input.atMost === true);
  if (bounded && caps.kind !== 'image') caps = { ...caps, atMost: true };
  const notes: Record<string, unknown> = {};
  const context: StageContext = {
    encoder: options.encoder,
    ...(options.question !== undefined ? { question: options.question } : {}),
    signal: options.signal ?? new AbortController().signal,
    note: (key, value) => {
      notes[key] = value;
    },
  };
  const payload = await stage.run(inputPayloads, params, context);
  checkStageOutput(stage.name, caps, payload);
  return { params, caps, payload, notes };
}

/**
 * @file The `concat` stage: joins several token inputs in the order the pipeline lists them (e.g. TS-LLaVA's
 * sampled tokens then the thumbnail). All inputs must share the token dimension.
 */
import { GraphNegotiationError } from '../../errors/index.js';
import type { VisualSegment } from '../../core/token-stream.js';
import { paramsObjectSchema } from '../define-stage.js';
import type { StageDescriptor } from '../stage.js';
import { expectCaps, expectPayload } from './stage-helpers.js';

function orderedPorts(inputs: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(inputs).sort((a, b) => Number(a) - Number(b));
}

// Variadic (ports `0`, `1`, ...), so not a `defineStage` single-input stage.
export const concatStage: StageDescriptor<Record<string, never>> = {
  name: 'concat',
  version: 1,
  description: 'Joins several token inputs in the listed order.',
  inputs: { in: 'tokens' },
  variadic: true,
  output: 'tokens',
  paramsSchema: paramsObjectSchema({}),
  defaults: {},
  negotiate(inputs) {
    const ports = orderedPorts(inputs);
    if (ports.length === 0) throw new GraphNegotiationError('concat', 'needs at least one input');
    let count = 0;
    let D: number | undefined;
    for (const port of ports) {
      const tokens = expectCaps('concat', inputs, port, 'tokens');
      if (D !== undefined && tokens.D !== D) {
        throw new GraphNegotiationError('concat', `input ${port} has token dimension ${tokens.D} but input 0 has ${D}`);
      }
      D = tokens.D;
      count += tokens.count;
    }
    return { kind: 'tokens', count, D: D! };
  },
  async run(inputs) {
    const segments: VisualSegment[] = [];
    for (const port of orderedPorts(inputs)) segments.push(...expectPayload('concat', inputs, port, 'tokens').segments);
    return { kind: 'tokens', segments };
  },
};

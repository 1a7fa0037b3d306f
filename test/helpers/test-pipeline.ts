/**
 * @file `testPipeline`: a validated pipeline definition for a test from only what the test is about (its stages and
 * output, and a budget or frame rule when they matter). The fields a test does not care about get fixed values.
 */
import { validatePipelineDefinition } from '../../src/graph/pipeline-file.js';
import type { PipelineDefinition } from '../../src/graph/pipeline-definition.js';

export interface TestPipelineFields {
  readonly stages: readonly unknown[];
  readonly output: string;
  /** Default 100000 (no budget problem). */
  readonly budget?: number;
  /** Default `{ count: 8, rule: 'np_linspace_int' }`. */
  readonly frames?: Readonly<Record<string, unknown>>;
  readonly name?: string;
  readonly description?: string;
  /** Any other pipeline field (`context`, `tokens`...). */
  readonly [field: string]: unknown;
}

/** The definition, validated as a pipeline file would be (throws PipelineConfigError on a bad field). */
export function testPipeline(fields: TestPipelineFields): PipelineDefinition {
  return validatePipelineDefinition({
    name: 'test',
    description: 'a test pipeline',
    version: 1,
    budget: 100000,
    frames: { count: 8, rule: 'np_linspace_int' },
    ...fields,
  });
}

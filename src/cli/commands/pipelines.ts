/**
 * @file `vidtok pipelines`: lists the built-in pipelines (name, default token budget, frames, one-line description)
 * and, with `--stages`, the stages a pipeline file can use. `--json` for machine-readable output.
 */
import { createPixelsEncoder } from '../../encoders/index.js';
import { describeBudget, resolveBudget } from '../../graph/build-graph.js';
import type { BudgetSpec } from '../../graph/pipeline-definition.js';
import type { FramesSpec } from '../../graph/pipeline-definition.js';
import { builtInPipelinesDirectory, listBuiltInPipelines } from '../../graph/pipeline-registry.js';
import { listStages } from '../../graph/stages/index.js';
import { defineCommand } from '../command.js';
import { outputOptions } from '../options/index.js';

/** One line for a frames spec: `16 (pllava_eval)`, `1 fps (8-64)`, `scenes (<= 32)`. */
export function describeFrames(frames: FramesSpec): string {
  if (frames.count !== undefined) return `${frames.count} (${frames.rule ?? 'np_linspace_int'})`;
  if (frames.fps !== undefined) return `${frames.fps} fps (${frames.minFrames ?? 1}-${frames.maxFrames})`;
  return `scenes (<= ${frames.maxFrames})`;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  '),
    )
    .join('\n');
}

export const pipelinesCommand = defineCommand({
  command: 'pipelines',
  describe: 'List the built-in pipelines with their default token budget (and the stages pipeline files can use)',
  positionals: {},
  options: {
    json: outputOptions.json,
    stages: { type: 'boolean', default: false, describe: 'Also list the stages a pipeline file can use' },
  },
  examples: [
    ['$0 pipelines', 'Name, budget, frames and description of every built-in pipeline'],
    ['$0 pipelines --stages --json', 'Pipelines and stages (with their parameter schemas) as JSON'],
  ],
  run: async (args, context) => {
    const pipelines = await listBuiltInPipelines({ signal: context.signal });
    const stages = listStages();
    if (args.json) {
      context.stdout.write(
        `${JSON.stringify({
          directory: builtInPipelinesDirectory(),
          pipelines: pipelines.map((pipeline) => ({
            name: pipeline.name,
            description: pipeline.description,
            budget: pipeline.budget,
            onOverBudget: pipeline.onOverBudget,
            frames: pipeline.frames,
            stages: pipeline.stages.map((stage) => stage.use),
            file: pipeline.source,
          })),
          ...(args.stages
            ? {
                stages: stages.map((stage) => ({
                  name: stage.name,
                  description: stage.description,
                  inputs: stage.inputs,
                  variadic: stage.variadic ?? false,
                  output: stage.output,
                  defaults: stage.defaults,
                  paramsSchema: stage.paramsSchema,
                  ...(stage.approximation ? { approximation: stage.approximation } : {}),
                })),
              }
            : {}),
        })}\n`,
      );
      return 0;
    }
    // Budgets relative to the encoder are shown resolved on the pixels encoder's 24x24 grid, then as stated.
    const reference = createPixelsEncoder().geometry!;
    const budgetText = (budget: BudgetSpec): string =>
      typeof budget === 'number' ? String(budget) : `${resolveBudget(budget, reference)} (${describeBudget(budget)})`;
    const rows = [
      ['name', 'budget on 24x24', 'frames', 'description'],
      ...pipelines.map((pipeline) => [
        pipeline.name,
        budgetText(pipeline.budget),
        describeFrames(pipeline.frames),
        pipeline.description,
      ]),
    ];
    context.stdout.write(`${table(rows)}\n`);
    if (args.stages) {
      const stageRows = [
        ['stage', 'inputs', 'output', 'description'],
        ...stages.map((stage) => [
          stage.name,
          stage.variadic
            ? `${Object.values(stage.inputs)[0]}...`
            : Object.entries(stage.inputs)
                .map(([port, kind]) => (port === 'in' ? kind : `${port}:${kind}`))
                .join(','),
          stage.output,
          stage.description,
        ]),
      ];
      context.stdout.write(`\n${table(stageRows)}\n`);
    }
    return 0;
  },
});

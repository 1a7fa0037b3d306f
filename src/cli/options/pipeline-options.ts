/**
 * @file The pipeline options: which pipeline, which encoder feeds it, its visual-token budget (checked once, here,
 * by the option's coerce function) and the question for question-conditioned stages.
 */
import { parseBudgetOption } from './budget-option.js';
import { defineOptions } from './option-table.js';

export const pipelineOptions = defineOptions({
  pipeline: {
    alias: 'p',
    type: 'string',
    describe: 'Built-in pipeline (see `vidtok pipelines`) or a YAML/JSON pipeline file',
  },
  encoder: {
    alias: 'e',
    type: 'string',
    describe: 'pixels (default), pixels:<size>/<patch>, or a model (directory or alias)',
  },
  budget: {
    alias: 'b',
    type: 'number',
    coerce: parseBudgetOption,
    describe: "Visual-token budget (default the pipeline's)",
  },
  question: { alias: 'q', type: 'string', describe: 'Question for question-conditioned stages (B-VLLM)' },
});

/** @file The output options: JSON on stdout, the output path and the output format(s). */
import { defineOptions } from './option-table.js';

export const outputOptions = defineOptions({
  json: { type: 'boolean', default: false, describe: 'Print JSON on stdout' },
  out: { alias: 'o', type: 'string', describe: 'Where the output is written' },
  format: { alias: 'f', type: 'string', describe: 'Output format' },
});

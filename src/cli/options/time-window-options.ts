/** @file The time window options: the part of the video a command reads. */
import { defineOptions } from './option-table.js';

export const timeWindowOptions = defineOptions({
  start: { type: 'number', describe: 'Start of the time window, seconds' },
  end: { type: 'number', describe: 'End of the time window, seconds' },
});

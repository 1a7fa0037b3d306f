/** @file The batch and queue options of caption and worker: the BullMQ queue, concurrency and directory walking. */
import { defineOptions } from './option-table.js';

export const jobOptions = defineOptions({
  queue: { type: 'string', describe: 'redis://host:port of the BullMQ queue' },
  'queue-name': { type: 'string', describe: 'BullMQ queue name (default vidtok-caption)' },
  concurrency: { alias: 'c', type: 'number', default: 1, describe: 'Items processed at the same time' },
  recursive: { alias: 'r', type: 'boolean', default: false, describe: 'Walk directories recursively' },
});

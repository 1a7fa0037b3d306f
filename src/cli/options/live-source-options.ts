/** @file The live-source options: playing a file at real speed and the frame buffer of a live source. */
import { defineOptions } from './option-table.js';

export const liveSourceOptions = defineOptions({
  realtime: {
    type: 'boolean',
    default: false,
    describe: 'Play a file at real speed like a live source (frames may be dropped)',
  },
  buffer: { type: 'number', default: 8, describe: 'Live/realtime: frames buffered before the oldest is dropped' },
});

/** @file The frame sampling options shared by frames, caption and narrate: frames per second and scene changes. */
import { defineOptions } from './option-table.js';

export const samplingOptions = defineOptions({
  fps: { type: 'number', describe: 'Frames per second: the first frame of every 1/fps interval' },
  scenes: { type: 'boolean', default: false, describe: 'The first frame and every scene change' },
  'scene-threshold': { type: 'number', describe: 'Scene-change score threshold in (0,1), default 0.3' },
});

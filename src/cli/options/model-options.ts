/** @file The model options: which model, its graphs' dtypes, where it runs and with how many threads. */
import { defaultVideoModel } from '../../uses/use-defaults.js';
import { defineOptions } from './option-table.js';

export const modelOptions = defineOptions({
  model: {
    alias: 'm',
    type: 'string',
    default: defaultVideoModel,
    describe: 'Model alias or directory (see `vidtok models`)',
  },
  dtype: {
    type: 'string',
    describe:
      'dtype for every graph (q4, fp16, fp32...) or graph=dtype pairs (default: what the model directory holds)',
  },
  device: {
    type: 'string',
    choices: ['cpu', 'cuda', 'auto'],
    describe:
      'Where the model runs: cpu (default), cuda, or auto (CUDA when it opens, else the CPU with a notice); see docs/runtime.md',
  },
  'quantized-compute': {
    type: 'string',
    choices: ['auto', 'int8', 'exported'],
    describe:
      'How MatMulNBits (q4/q8) graphs compute on the CPU: auto (default: 8-bit ones with int8 activations), int8 (4-bit too) or exported (as the files say); see docs/runtime.md',
  },
  threads: { type: 'number', describe: 'onnxruntime intra-op threads of the model runner' },
});

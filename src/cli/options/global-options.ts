/** @file The options every command accepts (declared on the program in main.ts). */
import { defineOptions } from './option-table.js';

export const globalOptions = defineOptions({
  verbose: { alias: 'v', type: 'boolean', default: false, describe: 'Print stack traces and debug details' },
  'allow-private-network': {
    type: 'boolean',
    default: false,
    describe:
      'Let URL inputs reach loopback, private and link-local addresses (cameras, local servers); see docs/security.md',
  },
});

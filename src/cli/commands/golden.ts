/**
 * @file `vidtok golden <dir> [--json] [--filter substring]`: runs every reference-vector case folder of a directory
 * (case.json + .npy, see shared/golden/README.md) through vidtok's implementation and compares the outputs. Prints
 * one line per failing case (every case with --verbose) and `N passed, M failed` alone on the last line; exits 0
 * only when every case passed, else 10 (partial failure).
 */
import { resolve } from 'node:path';
import { ExitCode } from '../../errors/index.js';
import { runGoldenDirectory } from '../../golden/run-golden.js';
import { defineCommand } from '../command.js';
import { outputOptions } from '../options/index.js';

export const goldenCommand = defineCommand({
  command: 'golden <dir>',
  describe: 'Check the token strategies against a directory of golden reference cases',
  positionals: {
    dir: { type: 'string', demandOption: true, describe: 'Directory of case folders (case.json + .npy)' },
  },
  options: {
    json: { ...outputOptions.json, describe: 'Print the full result as JSON on stdout' },
    filter: { type: 'string', describe: 'Only cases whose folder name contains this substring' },
  },
  examples: [
    ['$0 golden ../shared/golden/cases', 'Run every case; exit 0 when all pass'],
    ['$0 golden ../shared/golden/cases --filter slowfast -v', 'Run the slowfast cases and list each one'],
  ],
  run: async (args, context) => {
    const directory = resolve(args.dir);
    const result = await runGoldenDirectory(directory, {
      signal: context.signal,
      ...(args.filter !== undefined ? { filter: args.filter } : {}),
      onCase: (entry) => {
        if (args.json) return;
        if (!entry.ok || context.verbose) {
          context.stdout.write(`${entry.ok ? 'PASS' : 'FAIL'} ${entry.name} (${entry.op}): ${entry.detail}\n`);
        }
      },
    });
    if (args.json) {
      context.stdout.write(
        `${JSON.stringify({ directory, passed: result.passed, failed: result.failed, results: result.results }, null, 2)}\n`,
      );
    } else {
      context.stdout.write(`${result.passed} passed, ${result.failed} failed\n`);
    }
    return result.failed === 0 && result.passed > 0 ? ExitCode.ok : ExitCode.partialFailure;
  },
});

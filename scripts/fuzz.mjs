#!/usr/bin/env node
// `npm run fuzz -- [--cases N] [--seed S] [--minutes M] [--parallel P]`: a long seeded fuzz campaign over
// ../shared/videos through the real CLI (see test/hardening/fuzz-main.ts); failing cases are kept as regressions.
import { spawnSync } from 'node:child_process';

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', 'test/hardening/fuzz-main.ts', ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);

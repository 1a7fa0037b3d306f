#!/usr/bin/env node
// vidtok command-line entry: runs the compiled CLI (npm ci builds dist/ through the "prepare" script).
import('../dist/cli/main.js').then((cli) => cli.main(process.argv.slice(2)));

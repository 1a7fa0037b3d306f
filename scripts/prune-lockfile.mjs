#!/usr/bin/env node
// Removes optional-dependency edges from package-lock.json whose packages the registry cannot serve (the npm
// mirror this project builds against lacks some platform builds, e.g. @msgpackr-extract/*-darwin-*). npm cannot
// lock them, and `npm ci` then rejects the lock as out of sync. They are optional native accelerators with pure-JS
// fallbacks, so dropping the edge is safe. Run after `npm install`: node scripts/prune-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages ?? {};
const locked = new Set(Object.keys(packages).map((key) => key.replace(/^.*node_modules\//, '')));
let removed = 0;
for (const [key, entry] of Object.entries(packages)) {
  const optional = entry.optionalDependencies;
  if (!optional || key === '') continue;
  for (const name of Object.keys(optional)) {
    if (!locked.has(name)) {
      delete optional[name];
      removed += 1;
      console.log(`pruned optional ${name} of ${key}`);
    }
  }
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`${removed} dangling optional edge(s) removed`);

/**
 * @file The layout rules of src/cli that issue 13 asked for: a command file never imports another command file
 * (shared pieces live in src/cli/options or src/cli itself), and no value is forced to a type through
 * `as unknown as` (the option table derives the argument types instead).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/paths.js';

const cliDirectory = join(repoRoot, 'src', 'cli');
const commandsDirectory = join(cliDirectory, 'commands');

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(directory, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(directory, entry.name)]
        : [],
  );
}

test('a command file imports no other command file', () => {
  const files = readdirSync(commandsDirectory).filter((name) => name.endsWith('.ts') && name !== 'index.ts');
  assert.ok(files.length >= 13);
  const siblings = files.flatMap((name) =>
    [...readFileSync(join(commandsDirectory, name), 'utf8').matchAll(/from '\.\/([^']+)'/g)].map(
      (match) => `${name} imports ./${match[1]}`,
    ),
  );
  assert.deepEqual(siblings, []);
});

test('src/cli forces no type through `as unknown as`', () => {
  const casts = sourceFiles(cliDirectory).flatMap((path) =>
    readFileSync(path, 'utf8')
      .split('\n')
      .flatMap((line, at) => (/\bas unknown as\b/.test(line) ? [`${relative(repoRoot, path)}:${at + 1}`] : [])),
  );
  assert.deepEqual(casts, []);
});

/**
 * @file Lists the modules a fresh Node process loads when it imports one module: runs `node --import
 * record-loaded-modules.mjs [--import tsx] -e "await import(url)"` and returns the resolved file URLs and paths.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, scratchDir } from './paths.js';

/** Heavy packages the light entry point must not load. */
export const heavyPackages = [
  'onnxruntime-node',
  'onnxruntime-common',
  'bullmq',
  'ioredis',
  '@huggingface/hub',
  '@huggingface/tokenizers',
  'prom-client',
] as const;

export interface LoadedModules {
  readonly loaded: readonly string[];
  readonly importMilliseconds: number;
}

/** Imports `specifier` (a path or package name) in a child process started in `cwd`; `tsx` adds the TypeScript hook. */
export function loadedModules(
  specifier: string,
  options: { readonly cwd?: string; readonly tsx?: boolean } = {},
): LoadedModules {
  const record = join(scratchDir('loaded-modules'), 'loaded.txt');
  const target = specifier.startsWith('/') ? pathToFileURL(specifier).href : specifier;
  const script = `const t0 = performance.now(); await import(${JSON.stringify(target)}); process.stdout.write(String(performance.now() - t0));`;
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      pathToFileURL(join(repoRoot, 'test', 'helpers', 'record-loaded-modules.mjs')).href,
      ...(options.tsx === true ? ['--import', 'tsx'] : []),
      '--input-type=module',
      '-e',
      script,
    ],
    {
      cwd: options.cwd ?? repoRoot,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, VIDTOK_LOADED_MODULES_FILE: record },
    },
  );
  if (run.status !== 0) throw new Error(`importing ${specifier} failed:\n${run.stderr.slice(-2000)}`);
  return {
    loaded: readFileSync(record, 'utf8')
      .split('\n')
      .filter((line) => line !== ''),
    importMilliseconds: Number(run.stdout),
  };
}

/** The heavy packages among the loaded modules (by their node_modules folder). */
export function heavyPackagesLoaded(loaded: readonly string[]): string[] {
  return heavyPackages.filter((name) => loaded.some((entry) => entry.includes(`/node_modules/${name}/`)));
}

/**
 * @file Shared pieces of the use-case tests: the fixture model, the shared clips, a small pipeline file (two frames
 * per run, so captioning tests stay fast), and a runner for the real CLI entry point as a child process.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, sharedVideo } from '../helpers/paths.js';

export const smolvlm2Fixture = join(repoRoot, 'test', 'fixtures', 'models', 'smolvlm2-tiny');
export const llavaOnevisionFixture = join(repoRoot, 'test', 'fixtures', 'models', 'llava-onevision-tiny');
export const yogaClip = sharedVideo('yoga.mp4');
export const boatClip = sharedVideo('boat.mp4');

/** Writes a uniform pipeline with `frames` frames into `directory` and returns its path. */
export function writeSmallPipeline(directory: string, frames = 2): string {
  const path = join(directory, `uniform-${frames}.yaml`);
  writeFileSync(
    path,
    [
      `name: uniform-${frames}`,
      `description: ${frames} evenly spaced frames (tests)`,
      'version: 1',
      'budget: 4608',
      'frames:',
      `  count: ${frames}`,
      '  rule: np_linspace_int',
      'stages:',
      '  - id: encode',
      '    use: encode',
      '  - id: tokens',
      '    use: uniform',
      'output: tokens',
      '',
    ].join('\n'),
  );
  return path;
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `vidtok ...args` (tsx entry point) with a deadline; resolves with its exit code and output. */
export function runVidtok(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...(options.env ?? {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

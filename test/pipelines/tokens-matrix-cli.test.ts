/**
 * @file `vidtok tokens <clip> -p <pipeline> -e <encoder> --json` exits 0 for every built-in pipeline with the pixels
 * encoder and both tiny fixture models (real ONNX vision encoders), and the JSON's `totalTokens` equals
 * `plan.tokens` (at most it when the plan is an upper bound) and is within `plan.budget`. The resolved strategy
 * parameters are reported in the JSON's metadata.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { listBuiltInPipelines } from '../../src/graph/pipeline-registry.js';
import { repoRoot, sharedVideo } from '../helpers/paths.js';

function vidtok(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

const encoders = ['pixels', 'test/fixtures/models/smolvlm2-tiny', 'test/fixtures/models/llava-onevision-tiny'];

test('tokens --json: every built-in pipeline x pixels and both fixture models, produced = planned', async () => {
  const pipelines = (await listBuiltInPipelines()).map((pipeline) => pipeline.name);
  const jobs = encoders.flatMap((encoder) => pipelines.map((pipeline) => ({ encoder, pipeline })));
  const failures: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const { encoder, pipeline } = jobs[next++]!;
      const run = await vidtok([
        'tokens',
        sharedVideo('boat.mp4'),
        '-p',
        pipeline,
        '-e',
        encoder,
        '--json',
        '--question',
        'Where is the boat going?',
      ]);
      const where = `${pipeline} x ${encoder}`;
      if (run.status !== 0) {
        failures.push(`${where}: exit ${run.status}: ${run.stderr.trim().split('\n').at(-1)}`);
        continue;
      }
      const json = JSON.parse(run.stdout) as {
        totalTokens: number;
        plan: { tokens: number; budget: number; tokensAreUpperBound: boolean; geometry?: { tokensPerFrame: number } };
        params: Record<string, unknown>;
      };
      const { plan } = json;
      const ok = plan.tokensAreUpperBound
        ? json.totalTokens <= plan.tokens && json.totalTokens > 0
        : json.totalTokens === plan.tokens;
      if (!ok)
        failures.push(
          `${where}: produced ${json.totalTokens}, planned ${plan.tokensAreUpperBound ? 'at most ' : ''}${plan.tokens}`,
        );
      if (plan.tokens > plan.budget) failures.push(`${where}: plan ${plan.tokens} over budget ${plan.budget}`);
      const expectedPerFrame = encoder === 'pixels' ? 576 : encoder.includes('smolvlm2') ? 64 : 196;
      if (json.plan.geometry?.tokensPerFrame !== expectedPerFrame)
        failures.push(`${where}: plan.geometry.tokensPerFrame ${json.plan.geometry?.tokensPerFrame}`);
      if (pipeline === 'pllava') {
        const pool = json.params['pool'] as { shape?: number[] } | undefined;
        const side = encoder === 'pixels' ? 12 : encoder.includes('smolvlm2') ? 4 : 7;
        if (JSON.stringify(pool?.shape) !== JSON.stringify([16, side, side]))
          failures.push(`${where}: resolved shape ${JSON.stringify(pool?.shape)}`);
      }
    }
  };
  await Promise.all([worker(), worker()]);
  assert.deepEqual(failures, []);
});

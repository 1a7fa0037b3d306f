/**
 * @file `vidtok worker --device` (from the shared model options) on a machine without onnxruntime-node's CUDA
 * binaries, with a real redis-server and the tiny fixture model: auto falls back to the CPU with one warning event
 * before the worker is ready, cuda fails with exit 8 and one line before any job is taken.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { ExitCode } from '../../src/errors/index.js';
import { cudaProviderInstalled } from '../../src/runtime/onnx-session.js';
import { repoRoot } from '../helpers/paths.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { runVidtok, smolvlm2Fixture } from '../uses/use-fixtures.js';

const skip = cudaProviderInstalled()
  ? 'onnxruntime-node has its CUDA binaries here; the fallback is not reachable'
  : false;
let redis: RedisServer | undefined;
before(async () => {
  if (!skip) redis = await startRedisServer();
});
after(async () => {
  await redis?.stop();
});

/** Starts a worker, waits for its ready event, stops it with SIGTERM; resolves with its exit code and stderr lines. */
function readyWorker(args: readonly string[]): Promise<{ code: number | null; events: Record<string, unknown>[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'worker', ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('"type":"worker-ready"')) child.kill('SIGTERM');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      const events = stderr
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      resolve({ code, events });
    });
  });
}

test('worker --device auto warns once and serves on the CPU; --device cuda exits 8 before taking jobs', {
  skip,
}, async () => {
  const queue = ['--queue', redis!.url, '--queue-name', 'device-test', '-m', smolvlm2Fixture];
  const [auto, cuda] = await Promise.all([
    readyWorker([...queue, '--device', 'auto']),
    runVidtok(['worker', ...queue, '--device', 'cuda']),
  ]);
  const types = auto.events.map((event) => event.type);
  assert.ok(types.includes('worker-ready'), JSON.stringify(auto.events));
  const warnings = auto.events.filter((event) => event.type === 'warning');
  assert.equal(warnings.length, 1, JSON.stringify(warnings));
  assert.match(String(warnings[0]!.message), /^device auto: running on the CPU /);
  assert.ok(types.indexOf('warning') < types.indexOf('worker-ready'), 'the notice comes before the worker is ready');
  assert.equal(auto.code, ExitCode.interrupted, 'SIGTERM closes it gracefully');
  assert.equal(cuda.code, 8, cuda.stderr);
  assert.match(cuda.stderr, /device cuda: .*--onnxruntime-node-install=cuda12/);
  assert.equal(cuda.stderr.trim().split('\n').length, 1, `one line, no stack: ${cuda.stderr}`);
});

/**
 * @file The out-of-process runner: the parent's event loop keeps ticking while the child prefills, a SIGKILLed
 * child fails the pending call with InferenceError and a new runner can be started, an abort during a call ends the
 * child, and dispose leaves no process behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { FeatureGrid } from '../../src/core/feature-grid.js';
import { AbortedError, InferenceError } from '../../src/errors/index.js';
import type { ChildModelRunner } from '../../src/runtime/child-runner.js';
import { loadModel, type VlmModel } from '../../src/runtime/index.js';
import { smolvlm2Fixture, streamFromGrid, syntheticFrames } from './fixture-models.js';

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number | undefined): Promise<void> {
  for (let attempt = 0; attempt < 100 && alive(pid); attempt++) await delay(50);
  assert.equal(alive(pid), false, `runner process ${pid} should be gone`);
}

/** `frames` frames of tokens repeated from a small encoded grid (no need to run the vision tower that often). */
async function longGrid(model: VlmModel, frames: number): Promise<FeatureGrid> {
  const grid = await model.encoder().encodeFrames(syntheticFrames(2));
  const perFrame = 64 * grid.D;
  const data = new Float32Array(frames * perFrame);
  for (let t = 0; t < frames; t++)
    data.set(grid.data.subarray((t % 2) * perFrame, ((t % 2) + 1) * perFrame), t * perFrame);
  const times = Array.from({ length: frames }, (_, t) => t);
  return { ...grid, T: frames, data, timestamps: times, frameIndices: times };
}

describe('child runner', () => {
  it('keeps the parent event loop ticking while the child prefills and generates', async () => {
    const model = await loadModel(smolvlm2Fixture, { runner: 'child' });
    try {
      const stream = streamFromGrid(await longGrid(model, 20));
      let ticks = 0;
      let longestGap = 0;
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        longestGap = Math.max(longestGap, now - last);
        last = now;
        ticks += 1;
      }, 2);
      const started = performance.now();
      const session = await model.createSession(stream, { prefillChunkSize: 768 });
      const answer = await session.ask('Describe this video.', { maxNewTokens: 100 }).result();
      const elapsed = performance.now() - started;
      clearInterval(timer);
      assert.equal(answer.tokenIds.length, 100);
      // In-process, one 768-token decoder call blocks the loop for a large share of the prefill (2 calls); here
      // the loop must never stall for more than a quarter of the work and must tick throughout.
      assert.ok(longestGap < elapsed / 4, `longest gap ${longestGap.toFixed(1)} ms of ${elapsed.toFixed(1)} ms`);
      assert.ok(ticks > elapsed / 2 / 10, `${ticks} ticks in ${elapsed.toFixed(1)} ms`);
    } finally {
      await model.dispose();
    }
  });

  it('a SIGKILLed child fails the pending generation with InferenceError, and a new runner works', async () => {
    const model = await loadModel(smolvlm2Fixture, { runner: 'child' });
    const runner = model.runner as ChildModelRunner;
    const grid = await model.encoder().encodeFrames(syntheticFrames(2));
    const session = await model.createSession(streamFromGrid(grid));
    let deltas = 0;
    await assert.rejects(
      async () => {
        for await (const delta of session.ask('Describe this video.', { maxNewTokens: 5000 })) {
          void delta;
          if (++deltas === 5) process.kill(runner.pid!, 'SIGKILL');
        }
      },
      (error: unknown) => error instanceof InferenceError && error.retryable && /SIGKILL/.test(error.message),
    );
    await assert.rejects(model.runner.embed(Int32Array.of(1)), InferenceError);
    await model.dispose();

    const again = await loadModel(smolvlm2Fixture, { runner: 'child' });
    try {
      const answer = await (await again.createSession(streamFromGrid(grid)))
        .ask('Describe this video.', { maxNewTokens: 4 })
        .result();
      assert.equal(answer.tokenIds.length, 4);
    } finally {
      await again.dispose();
    }
  });

  it('an abort during a runner call rejects with AbortedError and ends the child', async () => {
    const model = await loadModel(smolvlm2Fixture, { runner: 'child' });
    const pid = (model.runner as ChildModelRunner).pid;
    const stream = streamFromGrid(await longGrid(model, 30));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(
      model.createSession(stream, { prefillChunkSize: 64, signal: controller.signal }),
      AbortedError,
    );
    await waitGone(pid);
    await model.dispose();
  });

  it('an abort during generation stops it but keeps the model and its prefilled session usable', async () => {
    const model = await loadModel(smolvlm2Fixture, { runner: 'child' });
    try {
      const grid = await model.encoder().encodeFrames(syntheticFrames(2));
      const session = await model.createSession(streamFromGrid(grid));
      const reference = await session.ask('Describe this video.', { maxNewTokens: 6 }).result();
      const controller = new AbortController();
      let seen = 0;
      await assert.rejects(async () => {
        for await (const delta of session.ask('Describe this video.', {
          maxNewTokens: 1000,
          signal: controller.signal,
        })) {
          void delta;
          if (++seen === 3) controller.abort();
        }
      }, AbortedError);
      const again = await session.ask('Describe this video.', { maxNewTokens: 6 }).result();
      assert.deepEqual(again.tokenIds, reference.tokenIds);
    } finally {
      await model.dispose();
    }
  });

  it('an idle model that is never disposed neither keeps the parent alive nor outlives it', async () => {
    const script = [
      `import { loadModel } from ${JSON.stringify(new URL('../../src/runtime/index.ts', import.meta.url).href)};`,
      `const model = await loadModel(${JSON.stringify(smolvlm2Fixture)}, { runner: 'child' });`,
      'await model.runner.embed(Int32Array.of(1, 2));',
      'process.stdout.write(String(model.runner.pid));',
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    clearTimeout(timer);
    assert.equal(signal, null, 'the parent had to be killed: the idle runner kept it alive');
    assert.equal(code, 0);
    await waitGone(Number(output));
  });

  it('dispose ends the child process', async () => {
    const model = await loadModel(smolvlm2Fixture, { runner: 'child' });
    const pid = (model.runner as ChildModelRunner).pid;
    assert.ok(alive(pid));
    await model.dispose();
    await waitGone(pid);
  });
});

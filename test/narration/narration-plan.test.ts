/**
 * @file How a pipeline drives narration (planNarration): the built-in scenetilling keeps k earlier scenes as memory
 * and pools the current scene's frames (never past the encoder's grid); any other pipeline runs whole on each
 * scene; a scene-stream pipeline configures the detector; explicit options win; the budget and the context window
 * are checked before anything is decoded (BudgetExceededError, exit 5).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPixelsEncoder } from '../../src/encoders/index.js';
import { BudgetExceededError, ExitCode } from '../../src/errors/index.js';
import { validatePipelineDefinition } from '../../src/graph/pipeline-file.js';
import { resolvePipeline } from '../../src/graph/pipeline-registry.js';
import { planNarration } from '../../src/narration/narration-plan.js';

const encoder = createPixelsEncoder();
const defaults = { sceneFrames: 8, memoryTokens: 32, memoryScenes: 4 };

describe('planNarration', () => {
  it('scenetilling: k memories of memoryTokens, then the scene pooled to 12x12, within the pipeline budget', async () => {
    const plan = planNarration(await resolvePipeline('scenetilling'), { encoder, defaults });
    assert.equal(plan.memoryScenes, 3, 'k = 3 earlier scenes');
    assert.equal(plan.memoryTokens, 32);
    assert.equal(plan.sceneFrames, 8);
    assert.deepEqual(
      plan.sceneDefinition.stages.map((stage) => stage.use),
      ['encode', 'spatial-pool', 'uniform'],
    );
    assert.equal(plan.sceneTokens, 8 * 12 * 12);
    assert.equal(plan.budget + 3 * 32, 1248, 'the memories come out of the pipeline budget');
  });

  it('never pools past the encoder grid', async () => {
    const small = createPixelsEncoder({ size: 112, patch: 14 }); // 8x8 grid
    const plan = planNarration(await resolvePipeline('scenetilling'), { encoder: small, defaults });
    assert.equal(plan.sceneTokens, 8 * 8 * 8);
  });

  it('a scene stage reading from a later stage keeps that stage in the per-scene graph', () => {
    const definition = validatePipelineDefinition({
      name: 'pooled-scenes',
      description: 'scene-tilling over pooled features',
      version: 1,
      budget: 2000,
      frames: { count: 16, rule: 'np_linspace_int' },
      stages: [
        { id: 'encode', use: 'encode' },
        { id: 'pool', use: 'spatial-pool', inputs: 'encode', params: { grid: [6, 6] } },
        { id: 'scenes', use: 'scene-tilling', inputs: 'pool', params: { k: 2 } },
      ],
      output: 'scenes',
    });
    const plan = planNarration(definition, { encoder, defaults });
    assert.deepEqual(
      plan.sceneDefinition.stages.map((stage) => stage.id),
      ['encode', 'pool', 'scene-pool', 'scene'],
    );
    assert.equal(plan.sceneDefinition.stages[2]!.inputs, 'pool');
    assert.equal(plan.sceneTokens, 8 * 6 * 6, 'pooled to 6x6 by the pipeline, not upsampled to 12x12');
    assert.equal(plan.memoryScenes, 2);
  });

  it('another pipeline runs whole on every scene with its own frame rule', async () => {
    const pllava = await resolvePipeline('pllava');
    const plan = planNarration(pllava, { encoder, defaults });
    assert.deepEqual(
      plan.sceneDefinition.stages.map((stage) => stage.id),
      pllava.stages.map((stage) => stage.id),
    );
    assert.equal(plan.budget, 2304, "pllava's own budget bounds its output; the memories need only the context");
    assert.throws(
      () => planNarration(pllava, { encoder, defaults, budget: 2304 }),
      BudgetExceededError,
      'an explicit budget counts the memories',
    );
    assert.throws(() => planNarration(pllava, { encoder, defaults, contextWindow: 2304 + 100 }), /context window/);
    assert.equal(plan.sceneFrames, pllava.frames.count);
    assert.equal(plan.memoryScenes, 4);
  });

  it('a scene-stream pipeline sets the detector; explicit options win over the pipeline', () => {
    const definition = validatePipelineDefinition({
      name: 'live-scenes',
      description: 'streaming scenes',
      version: 1,
      budget: 5000,
      frames: { fps: 2, maxFrames: 4096 },
      stages: [
        {
          id: 'scenes',
          use: 'scene-stream',
          inputs: 'frames',
          params: {
            rule: 'depth',
            threshold: 0.4,
            minSceneSeconds: 2,
            memoryTokens: 16,
            maxMemoryScenes: 2,
            sceneFrames: 4,
            descriptor: 'hsv',
          },
        },
      ],
      output: 'scenes',
    });
    const plan = planNarration(definition, { encoder, defaults });
    assert.equal(plan.detector.rule, 'depth');
    assert.equal(plan.detector.threshold, 0.4);
    assert.equal(plan.detector.minSceneSeconds, 2);
    assert.equal(plan.descriptor, 'hsv');
    assert.deepEqual([plan.memoryScenes, plan.memoryTokens, plan.sceneFrames], [2, 16, 4]);
    const overridden = planNarration(definition, { encoder, defaults, overrides: { sceneFrames: 6, memoryScenes: 1 } });
    assert.deepEqual([overridden.memoryScenes, overridden.memoryTokens, overridden.sceneFrames], [1, 16, 6]);
  });

  it('refuses a plan over the budget or the context window before any frame, exit 5', async () => {
    const scenetilling = await resolvePipeline('scenetilling');
    assert.throws(
      () => planNarration(scenetilling, { encoder, defaults, budget: 1000 }),
      (error: unknown) =>
        error instanceof BudgetExceededError &&
        error.exitCode === ExitCode.limitExceeded &&
        /narrate with pipeline scenetilling/.test(error.message),
    );
    assert.throws(
      () => planNarration(scenetilling, { encoder, defaults, contextWindow: 1000 }),
      (error: unknown) =>
        error instanceof BudgetExceededError && /context window/.test(error.message) && error.needed === 1248,
    );
    assert.throws(
      () => planNarration(scenetilling, { encoder, defaults, overrides: { memoryScenes: 4 } }),
      BudgetExceededError,
      'a fourth memory does not fit 1248',
    );
  });
});

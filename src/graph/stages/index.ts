/**
 * @file The stage registry: every stage a pipeline file can `use`, by name. `registerStage` adds a custom stage
 * (programmatic users); built-in names cannot be replaced.
 */
import type { StageDescriptor } from '../stage.js';
import { bvllmSelectStage } from '../../strategies/b-vllm/b-vllm-select-stage.js';
import { bvllmStage } from '../../strategies/b-vllm/b-vllm-stage.js';
import { concatStage } from './concat.js';
import { descriptorsStage } from './descriptors.js';
import { encodeImageStage } from './encode-image.js';
import { encodeStage } from './encode.js';
import { igVlmGridStage } from '../../strategies/ig-vlm/ig-vlm-stage.js';
import { pllavaStage } from '../../strategies/pllava/pllava-stage.js';
import { sceneStreamStage } from '../../strategies/scene-tilling/scene-stream-stage.js';
import { sceneTillingStage } from '../../strategies/scene-tilling/scene-tilling-stage.js';
import { selectFramesStage } from '../../strategies/b-vllm/select-frames-stage.js';
import { slowFastShiStage, slowFastStage } from '../../strategies/slowfast/slowfast-stages.js';
import { spatialPoolStage } from './spatial-pool.js';
import { tsLlavaSampleStage, tsLlavaThumbnailStage } from '../../strategies/ts-llava/ts-llava-stages.js';
import { uniformStage } from './uniform.js';

// biome-ignore lint/suspicious/noExplicitAny: a registry holds descriptors of every parameter type
export type AnyStageDescriptor = StageDescriptor<any>;

const builtInStages: readonly AnyStageDescriptor[] = [
  encodeStage,
  descriptorsStage,
  uniformStage,
  concatStage,
  encodeImageStage,
  spatialPoolStage,
  pllavaStage,
  tsLlavaSampleStage,
  tsLlavaThumbnailStage,
  igVlmGridStage,
  slowFastStage,
  slowFastShiStage,
  bvllmStage,
  bvllmSelectStage,
  sceneTillingStage,
  sceneStreamStage,
  selectFramesStage,
];

const registry = new Map<string, AnyStageDescriptor>(builtInStages.map((stage) => [stage.name, stage]));
const builtInNames = new Set(registry.keys());

/** The stage registered under `name`, or undefined. */
export function findStage(name: string): AnyStageDescriptor | undefined {
  return registry.get(name);
}

/** Every registered stage, built-in ones first. */
export function listStages(): AnyStageDescriptor[] {
  return [...registry.values()];
}

/** Registers a custom stage; throws when the name is taken by a built-in stage. Returns an unregister function. */
export function registerStage(stage: AnyStageDescriptor): () => void {
  if (builtInNames.has(stage.name)) throw new Error(`stage '${stage.name}' is built in and cannot be replaced`);
  registry.set(stage.name, stage);
  return () => {
    if (registry.get(stage.name) === stage) registry.delete(stage.name);
  };
}

export {
  bvllmStage,
  concatStage,
  descriptorsStage,
  encodeImageStage,
  encodeStage,
  igVlmGridStage,
  pllavaStage,
  sceneStreamStage,
  sceneTillingStage,
  selectFramesStage,
  slowFastShiStage,
  slowFastStage,
  spatialPoolStage,
  tsLlavaSampleStage,
  tsLlavaThumbnailStage,
  uniformStage,
};

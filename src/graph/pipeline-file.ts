/**
 * @file Loads and validates pipeline files (YAML or JSON). The document is checked against the pipeline schema
 * (ajv), then each stage's `use` against the stage registry, its params against that stage's `paramsSchema`, and the
 * ids its inputs and the output refer to. Every problem is a PipelineConfigError whose `field` is a JSON pointer to
 * the offending field (e.g. `/stages/2/params/shape`). Stage defaults are applied to the params.
 */
import { readFile } from 'node:fs/promises';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseDocument } from 'yaml';
import { PipelineConfigError } from '../errors/index.js';
import { sourceStageId, type PipelineDefinition, type StageSpec } from './pipeline-definition.js';
import { pipelineSchema } from './pipeline-schema.js';
import { findStage, listStages } from './stages/index.js';

const ajv = new Ajv({ allErrors: false, strict: false });
const validatePipeline = ajv.compile(pipelineSchema);
const paramValidators = new Map<string, ValidateFunction>();

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

const oneOfMessages: readonly [RegExp, string][] = [
  [/^\/frames$/, 'must have exactly one of: {count, rule}, {fps, maxFrames} or {scenes, maxFrames}'],
  [/^\/stages\/\d+\/inputs$/, 'must be a stage id, a list of stage ids or an object {port: stage id}'],
];

/** The most useful single error of an ajv run, as a field pointer and a problem. */
function describeAjvError(errors: readonly ErrorObject[], prefix: string): { field: string; problem: string } {
  const oneOf = errors.find((error) => error.keyword === 'oneOf');
  if (oneOf !== undefined) {
    const custom = oneOfMessages.find(([pattern]) => pattern.test(oneOf.instancePath))?.[1];
    if (custom !== undefined) return { field: prefix + oneOf.instancePath, problem: custom };
  }
  const error = errors[0]!;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return {
        field: `${prefix}${error.instancePath}/${escapePointer(String(params.additionalProperty))}`,
        problem: 'unknown field',
      };
    case 'required':
      return {
        field: `${prefix}${error.instancePath}/${escapePointer(String(params.missingProperty))}`,
        problem: 'is required',
      };
    case 'enum':
      return {
        field: prefix + error.instancePath,
        problem: `must be one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`,
      };
    default:
      return { field: prefix + error.instancePath, problem: error.message ?? 'is invalid' };
  }
}

function validateStageParams(
  file: string,
  index: number,
  spec: { use: string; params?: unknown },
): Record<string, unknown> {
  const stage = findStage(spec.use)!;
  let validate = paramValidators.get(stage.name);
  if (validate === undefined) {
    validate = ajv.compile(stage.paramsSchema);
    paramValidators.set(stage.name, validate);
  }
  const params = spec.params ?? {};
  if (!validate(params)) {
    const { field, problem } = describeAjvError(validate.errors ?? [], `/stages/${index}/params`);
    throw new PipelineConfigError(file, field, problem);
  }
  return { ...stage.defaults, ...(params as Record<string, unknown>) };
}

/**
 * Validates a parsed pipeline document (from a file or built in code); `file` names it in errors. Returns the
 * definition with stage defaults applied.
 */
export function validatePipelineDefinition(document: unknown, file = '<inline>'): PipelineDefinition {
  if (!validatePipeline(document)) {
    const { field, problem } = describeAjvError(validatePipeline.errors ?? [], '');
    throw new PipelineConfigError(file, field, problem);
  }
  const raw = document as unknown as Omit<PipelineDefinition, 'stages' | 'source' | 'onOverBudget'> & {
    onOverBudget?: PipelineDefinition['onOverBudget'];
    stages: (Omit<StageSpec, 'params'> & { params?: Record<string, unknown> })[];
  };
  const ids = new Set<string>();
  const stages: StageSpec[] = raw.stages.map((spec, index) => {
    if (spec.id === sourceStageId)
      throw new PipelineConfigError(file, `/stages/${index}/id`, `'${sourceStageId}' is reserved for the frame source`);
    if (ids.has(spec.id)) throw new PipelineConfigError(file, `/stages/${index}/id`, `duplicate stage id '${spec.id}'`);
    if (findStage(spec.use) === undefined) {
      const known = listStages()
        .map((stage) => stage.name)
        .join(', ');
      throw new PipelineConfigError(file, `/stages/${index}/use`, `unknown stage '${spec.use}' (known: ${known})`);
    }
    const inputs = spec.inputs;
    const references: [string, string][] =
      inputs === undefined
        ? []
        : typeof inputs === 'string'
          ? [['', inputs]]
          : Array.isArray(inputs)
            ? inputs.map((id, at) => [`/${at}`, id] as [string, string])
            : Object.entries(inputs).map(([port, id]) => [`/${escapePointer(port)}`, id] as [string, string]);
    for (const [pointer, id] of references) {
      if (id !== sourceStageId && !raw.stages.some((other) => other.id === id)) {
        throw new PipelineConfigError(file, `/stages/${index}/inputs${pointer}`, `refers to unknown stage '${id}'`);
      }
    }
    ids.add(spec.id);
    const params = validateStageParams(file, index, spec);
    return { id: spec.id, use: spec.use, ...(inputs !== undefined ? { inputs } : {}), params };
  });
  if (!ids.has(raw.output))
    throw new PipelineConfigError(file, '/output', `names no stage (stages: ${[...ids].join(', ')})`);
  return {
    name: raw.name,
    description: raw.description,
    version: raw.version,
    budget: raw.budget,
    onOverBudget: raw.onOverBudget ?? 'fail',
    frames: raw.frames,
    ...(raw.encoder !== undefined ? { encoder: raw.encoder } : {}),
    stages,
    output: raw.output,
    ...(raw.prompt !== undefined ? { prompt: raw.prompt } : {}),
    source: file,
  };
}

/** Parses pipeline text: JSON when `file` ends in .json, YAML otherwise (YAML also accepts JSON). */
export function parsePipelineText(text: string, file: string): PipelineDefinition {
  let document: unknown;
  if (file.toLowerCase().endsWith('.json')) {
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new PipelineConfigError(file, '', `invalid JSON: ${(error as Error).message}`);
    }
  } else {
    const parsed = parseDocument(text, { prettyErrors: false });
    const first = parsed.errors[0];
    if (first !== undefined) {
      const line = first.linePos?.[0]?.line;
      throw new PipelineConfigError(
        file,
        '',
        `invalid YAML${line !== undefined ? ` at line ${line}` : ''}: ${first.message.split('\n')[0]}`,
      );
    }
    document = parsed.toJS();
  }
  return validatePipelineDefinition(document, file);
}

/** Reads and validates a pipeline file. */
export async function loadPipelineFile(
  path: string,
  options: { readonly signal?: AbortSignal } = {},
): Promise<PipelineDefinition> {
  let text: string;
  try {
    text = await readFile(path, { encoding: 'utf8', ...(options.signal ? { signal: options.signal } : {}) });
  } catch (error) {
    throw new PipelineConfigError(
      path,
      '',
      `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  return parsePipelineText(text, path);
}

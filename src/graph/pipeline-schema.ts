/**
 * @file The JSON schema of a pipeline file (validated with ajv). Stage parameters are validated separately against
 * each stage's own `paramsSchema` once the stage is known.
 */
import { frameIndexRules } from '../sampling/frame-indices.js';

const identifier = { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_-]*$' } as const;

export const pipelineSchema = {
  $id: 'https://vidtok.dev/schemas/pipeline.json',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'description', 'version', 'budget', 'frames', 'stages', 'output'],
  properties: {
    name: identifier,
    description: { type: 'string', minLength: 1 },
    version: { type: 'integer', minimum: 1 },
    budget: {
      oneOf: [
        { type: 'integer', minimum: 1 },
        {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            frameTokens: { type: 'number', minimum: 0, maximum: 4096 },
            tileTokens: { type: 'number', minimum: 0, maximum: 64 },
            imageTokens: { type: 'number', minimum: 0, maximum: 64 },
            tokens: { type: 'integer', minimum: 0 },
          },
        },
      ],
    },
    onOverBudget: { enum: ['fail', 'reduce-frames'] },
    encoder: { type: 'string', minLength: 1 },
    frames: {
      type: 'object',
      additionalProperties: false,
      properties: {
        count: { type: 'integer', minimum: 1, maximum: 4096 },
        rule: { enum: [...frameIndexRules] },
        fps: { type: 'number', exclusiveMinimum: 0, maximum: 120 },
        position: { enum: ['start', 'middle'] },
        minFrames: { type: 'integer', minimum: 1 },
        maxFrames: { type: 'integer', minimum: 1, maximum: 4096 },
        scenes: {
          type: 'object',
          additionalProperties: false,
          properties: { threshold: { type: 'number', exclusiveMinimum: 0, maximum: 1 } },
        },
        resize: { enum: ['squash', 'fit', 'crop', 'native'] },
      },
      oneOf: [
        { required: ['count', 'rule'], not: { anyOf: [{ required: ['fps'] }, { required: ['scenes'] }] } },
        { required: ['fps', 'maxFrames'], not: { anyOf: [{ required: ['count'] }, { required: ['scenes'] }] } },
        { required: ['scenes', 'maxFrames'], not: { anyOf: [{ required: ['count'] }, { required: ['fps'] }] } },
      ],
    },
    stages: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'use'],
        properties: {
          id: identifier,
          use: identifier,
          inputs: {
            oneOf: [
              identifier,
              { type: 'array', minItems: 1, items: identifier },
              { type: 'object', minProperties: 1, additionalProperties: identifier },
            ],
          },
          params: { type: 'object' },
        },
      },
    },
    output: identifier,
    prompt: {
      type: 'object',
      additionalProperties: false,
      properties: {
        system: { type: 'string', minLength: 1 },
        source: { type: 'string', minLength: 1 },
        openEnded: {
          type: 'object',
          additionalProperties: false,
          required: ['template'],
          properties: {
            system: { type: 'string', minLength: 1 },
            template: { type: 'string', pattern: '\\{question\\}' },
            assistantPrefix: { type: 'string', minLength: 1 },
          },
        },
        multipleChoice: {
          type: 'object',
          additionalProperties: false,
          required: ['template'],
          properties: {
            system: { type: 'string', minLength: 1 },
            template: { type: 'string', allOf: [{ pattern: '\\{question\\}' }, { pattern: '\\{options\\}' }] },
            option: { type: 'string', allOf: [{ pattern: '\\{letter\\}' }, { pattern: '\\{option\\}' }] },
            optionSeparator: { type: 'string' },
            assistantPrefix: { type: 'string', minLength: 1 },
          },
        },
      },
    },
  },
} as const;

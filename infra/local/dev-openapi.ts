/**
 * The OpenAPI document of the local-only /__dev controls (served only by the embedded runtime at
 * GET /__dev/openapi.json; the product's /openapi.json never lists them).
 */
const error = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', enum: ['VALIDATION', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND'] },
        message: { type: 'string' },
        fields: { type: 'object', additionalProperties: { type: 'string' } },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
};
const runs = {
  type: 'array',
  items: {
    type: 'object',
    properties: { job: { type: 'string' }, day: { type: 'string' }, ok: { type: 'boolean' } },
    required: ['job', 'day', 'ok'],
  },
};
const errors = {
  '400': { $ref: '#/components/responses/Error' },
  '401': { $ref: '#/components/responses/Error' },
  '403': { $ref: '#/components/responses/Error' },
};

export const DEV_OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'reseller-panel embedded runtime controls',
    version: '0.1.0',
    description: 'Local-only controls of `npm start` for the operator; absent on AWS.',
    license: { name: 'UNLICENSED (proprietary)', identifier: 'LicenseRef-Proprietary' },
  },
  servers: [{ url: '/', description: 'the embedded runtime' }],
  tags: [{ name: 'dev', description: 'Dev clock and scheduled jobs' }],
  security: [{ bearer: [] }],
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    responses: { Error: { description: 'bad input, no token, not the operator, or no such job', content: { 'application/json': { schema: error } } } },
  },
  paths: {
    '/__dev/clock': {
      get: {
        operationId: 'getDevClock',
        summary: 'The dev clock',
        tags: ['dev'],
        responses: {
          '200': { description: 'now', content: { 'application/json': { schema: { type: 'object', properties: { now: { type: 'string' } }, required: ['now'] } } } },
          ...errors,
        },
      },
      post: {
        operationId: 'moveDevClock',
        summary: 'Move the dev clock forward and run every scheduled day that passed',
        tags: ['dev'],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: { type: 'object', properties: { advanceDays: { type: 'integer', minimum: 0 }, to: { type: 'string', description: 'an ISO time' } } },
              example: { advanceDays: 31 },
            },
          },
        },
        responses: {
          '200': {
            description: 'moved; the jobs that ran',
            content: { 'application/json': { schema: { type: 'object', properties: { now: { type: 'string' }, runs }, required: ['now', 'runs'] } } },
          },
          ...errors,
        },
      },
    },
    '/__dev/jobs/{name}': {
      post: {
        operationId: 'runDevJob',
        summary: 'Run one scheduled job for one day',
        tags: ['dev'],
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z0-9-]+$' } }],
        requestBody: {
          required: false,
          content: { 'application/json': { schema: { type: 'object', properties: { day: { type: 'string', description: 'YYYY-MM-DD (default today)' } } }, example: { day: '2026-01-31' } } },
        },
        responses: {
          '200': { description: 'the run', content: { 'application/json': { schema: { type: 'object', properties: { runs }, required: ['runs'] } } } },
          '404': { $ref: '#/components/responses/Error' },
          ...errors,
        },
      },
    },
    '/__dev/openapi.json': {
      get: {
        operationId: 'getDevOpenApi',
        summary: 'This document',
        tags: ['dev'],
        responses: { '200': { description: 'this document', content: { 'application/json': { schema: { type: 'object' } } } }, ...errors },
      },
    },
  },
} as const;

/**
 * The OpenAPI document of the local-only /__dev controls (served only by the embedded runtime at
 * GET /__dev/openapi.json; the product's /openapi.json never lists them).
 */
import { codesOfStatus } from '../../shared/domain/errors';
import { MAX_ADVANCE_DAYS } from '../../shared/adapters/local/dev-clock';

/** The error body with the catalogue's codes of one status (as the product's document has it). */
const error = (status: number) => ({
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', enum: codesOfStatus(status) },
        message: { type: 'string' },
        fields: { type: 'object', additionalProperties: { type: 'string' }, description: 'each bad field by its name' },
      },
      required: ['code', 'message'],
      additionalProperties: false,
    },
  },
  required: ['error'],
  additionalProperties: false,
});
const ERRORS: Record<number, string> = {
  400: 'bad input: `fields` names the field',
  401: 'no valid bearer token',
  403: 'not the operator',
  404: 'no such job or dev route',
  413: 'the request body is too large',
  415: 'the request body is not application/json',
};
const runs = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      job: { type: 'string' },
      day: { type: 'string', description: 'YYYY-MM-DD' },
      ok: { type: 'boolean' },
      result: { description: "what the job's handler returned (each job its own)" },
      error: { type: 'string', description: 'why the run failed (ok false)' },
    },
    required: ['job', 'day', 'ok'],
    additionalProperties: false,
  },
};
const ref = (status: number) => ({ [String(status)]: { $ref: `#/components/responses/Error${status}` } });
const errors = { ...ref(400), ...ref(401), ...ref(403) };
const bodyErrors = { ...ref(413), ...ref(415) };

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
    responses: Object.fromEntries(
      Object.entries(ERRORS).map(([status, description]) => [`Error${status}`, { description, content: { 'application/json': { schema: error(Number(status)) } } }]),
    ),
  },
  paths: {
    '/__dev/clock': {
      get: {
        operationId: 'getDevClock',
        summary: 'The dev clock',
        tags: ['dev'],
        responses: {
          '200': { description: 'now', content: { 'application/json': { schema: { type: 'object', properties: { now: { type: 'string' } }, required: ['now'], additionalProperties: false } } } },
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
              schema: {
                type: 'object',
                properties: { advanceDays: { type: 'integer', minimum: 0, maximum: MAX_ADVANCE_DAYS }, to: { type: 'string', description: 'an ISO time' } },
                additionalProperties: false,
              },
              example: { advanceDays: 31 },
            },
          },
        },
        responses: {
          '200': {
            description: 'moved; the jobs that ran',
            content: { 'application/json': { schema: { type: 'object', properties: { now: { type: 'string' }, runs }, required: ['now', 'runs'], additionalProperties: false } } },
          },
          ...errors,
          ...bodyErrors,
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
          content: { 'application/json': { schema: { type: 'object', properties: { day: { type: 'string', description: 'YYYY-MM-DD (default today)' } }, additionalProperties: false }, example: { day: '2026-01-31' } } },
        },
        responses: {
          '200': { description: 'the run', content: { 'application/json': { schema: { type: 'object', properties: { runs }, required: ['runs'], additionalProperties: false } } } },
          ...ref(404),
          ...errors,
          ...bodyErrors,
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

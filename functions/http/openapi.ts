import * as z from 'zod';
import { codesOfStatus, ERROR_CODES } from '../../shared/domain/errors';
import { PEOPLE_ONLY, type Route } from './route';
import { SCOPES } from '../../shared/domain/scopes';
import { WEBHOOK_EVENT_TYPES } from '../../shared/domain/webhooks';
import { WEBHOOK_DATA, webhookPayloadSchema } from './webhook-payloads';

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const s = jsonSchema(schema, 'input') as { properties?: Record<string, { description?: string }>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, prop]) => ({
    name,
    in: where,
    required: where === 'path' || (s.required ?? []).includes(name),
    ...(prop.description ? { description: prop.description } : {}),
    schema: prop,
  }));
}

/** What each error status means in this API; the codes of each come from the catalogue. */
const ERROR_RESPONSES: Record<number, string> = {
  400: 'Bad input: `fields` names each bad field',
  401: 'No valid bearer token, or wrong credentials',
  402: 'The balance and credit limit do not cover it',
  403: 'The caller may not do this',
  404: 'No such resource (another reseller\'s answers the same), or no such route',
  409: 'Conflicts with the current state',
  413: 'The request body is too large',
  415: 'The request body is not application/json',
  422: 'The Idempotency-Key was used for another request (other body, route or parameters) in the last 24 hours',
  429: 'Too many attempts: wait for Retry-After seconds',
};

const TAGS: Record<string, string> = {
  system: 'Health and this document',
  auth: 'Sign-in',
  account: "The signed-in reseller's account",
  operator: "The operator's resellers and IP pools",
  servers: 'Hosting servers and what runs on them',
  templates: 'Service templates, registration e-mails, personal fields',
  users: 'Hosted users (the create-user wizard), IPs, circulars',
  ssl: "Hosted users' SSL certificates",
  billing: 'Plans, billing accounts, the ledger, payments',
  stats: 'Disk and traffic statistics',
  settings: 'Index page, help page, skins',
  runs: 'Runs of background work',
  'api-clients': "The reseller's API clients (OAuth 2.0 client credentials) and their scopes",
  webhooks: 'Webhook endpoints (Standard Webhooks), their deliveries and replays',
};

/** Who may call an operation: a person's bearer token, and an API client's token with these scopes. */
function securityOf(r: Route) {
  if (r.access === 'public') return [];
  if (r.access === 'operator' || r.scopes === undefined || r.scopes === PEOPLE_ONLY) return [{ bearer: [] }];
  return [{ bearer: [] }, { apiClient: [...r.scopes] }];
}

function errorStatuses(r: Route): number[] {
  // A route that reads its own body (the OAuth token endpoint) describes its errors itself.
  if (r.rawBody) return [];
  const out = [400];
  if (r.access !== 'public') out.push(401, 403);
  else if (r.path.startsWith('/auth/')) out.push(401);
  if (r.params || r.access !== 'public') out.push(404);
  if (r.method !== 'GET') out.push(409);
  if (r.tag === 'billing' && r.method === 'POST') out.push(402);
  if (r.body) out.push(413, 415);
  if (r.path === '/auth/login') out.push(403, 429);
  if (r.idempotent) out.push(409, 422);
  out.push(...(r.errors ?? []));
  return [...new Set(out)].sort();
}

/** The header of the POSTs that create or charge (docs/api.md "Idempotency keys"). */
const IDEMPOTENCY_KEY_PARAMETER = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Your unique key for this request (e.g. a UUID; 1-255 visible ASCII characters). A repeat with the same key and the same request ' +
    'within 24 hours answers the first response (status and body, with the header Idempotent-Replayed: true) and does nothing again; ' +
    'the same key for another request is 422 IDEMPOTENCY_KEY_REUSED; while the first is still running, 409 IDEMPOTENCY_IN_PROGRESS. ' +
    'Keys are per reseller. 4xx answers are kept like successes, 5xx are not (retry with the same key).',
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
};

const REPLAYED_HEADER = {
  'Idempotent-Replayed': { description: 'true when this is the stored answer to an earlier request with the same Idempotency-Key', schema: { type: 'string', enum: ['true'] } },
};

const operationId = (r: Route) =>
  `${r.method.toLowerCase()}${r.path.replace(/[{}]/g, '').replace(/[^a-zA-Z0-9]+(.)?/g, (_m, c: string = '') => c.toUpperCase())}`;

function success(description: string, schema: z.ZodType | null, opts: { idempotent?: true; csv?: true } = {}) {
  const headers = opts.idempotent ? { headers: REPLAYED_HEADER } : {};
  if (!schema) return { description, ...headers };
  const content: Record<string, unknown> = { 'application/json': { schema: jsonSchema(schema, 'output') } };
  // Accept: text/csv answers the same table as RFC 4180 CSV (a header row, CRLF lines).
  if (opts.csv) {
    content['text/csv'] = {
      schema: { type: 'string', pattern: '^[^\\r\\n]+\\r\\n', description: 'CSV (RFC 4180): a header row of the column names, then one CRLF-ended line per row' },
    };
  }
  return { description, ...headers, content };
}

/**
 * The OpenAPI document, built from the very schemas the router validates requests with and the
 * response schemas the handlers' results are typed against; error bodies carry the catalogue's codes.
 */
export function buildOpenApi(routes: readonly Route[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  const usedStatuses = new Set<number>();
  for (const r of routes) {
    const responses: Record<string, unknown> = {
      [String(r.status)]: success(r.status === 204 ? 'done, no body' : 'success', r.response, { idempotent: r.idempotent, csv: r.csv }),
    };
    for (const [status, other] of Object.entries(r.otherResponses ?? {})) responses[status] = success(other.description, other.schema, { idempotent: r.idempotent });
    for (const status of errorStatuses(r)) {
      if (responses[String(status)]) continue; // the route's own description of that status
      usedStatuses.add(status);
      responses[String(status)] = { $ref: `#/components/responses/Error${status}` };
    }
    const op: Record<string, unknown> = {
      operationId: operationId(r),
      summary: r.summary.length > 120 ? `${r.summary.slice(0, r.summary.lastIndexOf(' ', 110))} ...` : r.summary,
      ...(r.summary.length > 120 ? { description: r.summary } : {}),
      tags: [r.tag],
      ...(r.params || r.query || r.idempotent
        ? { parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query'), ...(r.idempotent ? [IDEMPOTENCY_KEY_PARAMETER] : [])] }
        : {}),
      responses,
      security: securityOf(r),
      ...(r.access === 'public' ? {} : { 'x-access': r.access }),
      ...(r.access !== 'public' && r.access !== 'operator' ? { 'x-scopes': r.scopes === PEOPLE_ONLY || !r.scopes ? 'none: not for API clients' : r.scopes } : {}),
    };
    if (r.rawBody && r.path === '/auth/token') {
      op.requestBody = {
        required: true,
        content: {
          'application/x-www-form-urlencoded': {
            schema: jsonSchema(
              z.object({
                grant_type: z.literal('client_credentials'),
                scope: z.string().optional().describe('space-separated scopes, a subset of the client\'s; all of them when left out'),
              }),
              'input',
            ),
          },
        },
      };
    }
    if (r.body) {
      op.requestBody = {
        required: true,
        content: {
          'application/json': { schema: jsonSchema(r.body, 'input'), ...(r.example ? { example: r.example } : {}) },
        },
      };
    }
    (paths[r.path] ??= {})[r.method.toLowerCase()] = op;
  }
  const errorResponses = Object.fromEntries(
    [...usedStatuses].sort().map((status) => [
      `Error${status}`,
      {
        description: ERROR_RESPONSES[status] ?? 'error',
        ...(status === 429
          ? { headers: { 'Retry-After': { description: 'seconds to wait before the next attempt', schema: { type: 'integer', minimum: 1 } } } }
          : {}),
        content: { 'application/json': { schema: errorSchema(codesOfStatus(status)) } },
      },
    ]),
  );
  const usedTags = [...new Set(routes.map((r) => r.tag))];
  return {
    openapi: '3.1.0',
    info: {
      title: 'reseller-panel',
      version,
      description: 'Control panel and billing engine for web-hosting resellers. Error codes: ' +
        Object.entries(ERROR_CODES).map(([c, e]) => `${c} (${e.status}) ${e.meaning}`).join('; ') + '.',
      license: { name: 'UNLICENSED (proprietary)', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: '/', description: 'the API at the address this document was read from' }],
    tags: usedTags.map((name) => ({ name, description: TAGS[name] ?? name })),
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "A person's token from POST /auth/login: every scope of its role" },
        apiClient: {
          type: 'oauth2',
          description: "An API client's token (POST /api-clients, then POST /auth/token with HTTP Basic): only its scopes",
          flows: { clientCredentials: { tokenUrl: '/auth/token', scopes: { ...SCOPES } } },
        },
      },
      responses: errorResponses,
    },
    security: [{ bearer: [] }],
    paths,
    webhooks: webhooksSection(),
  };
}

/**
 * The events POSTed to registered endpoints (OpenAPI 3.1 `webhooks`): Standard Webhooks headers,
 * the body per type, and what the receiver should answer (docs/webhooks.md).
 */
function webhooksSection() {
  const header = (name: string, description: string, example: string) => ({ name, in: 'header', required: true, description, schema: { type: 'string' }, example });
  return Object.fromEntries(
    WEBHOOK_EVENT_TYPES.map((type) => [
      type,
      {
        post: {
          operationId: `webhook_${type.replace('.', '_')}`,
          summary: WEBHOOK_DATA[type].summary,
          tags: ['webhooks'],
          security: [],
          parameters: [
            header('webhook-id', "The event's id: the same on every attempt and replay (use it to process an event once)", 'evt_0m5x2k9ab3f4c5d6e7f8a9b0'),
            header('webhook-timestamp', 'Unix seconds of this attempt (refuse ones far from now)', '1767225600'),
            header('webhook-signature', 'v1,<base64 HMAC-SHA256 of "id.timestamp.body" keyed with the base64-decoded secret after whsec_>', 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4='),
          ],
          requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(webhookPayloadSchema(type), 'output') } } },
          responses: {
            '200': { description: 'Received (any 2xx): no more attempts' },
            '410': { description: 'Gone: the endpoint is disabled and gets no more events' },
            default: { description: 'Anything else (or no answer within 15 s) is retried: 5 s, 5 min, 30 min, 2 h, 5 h, then failed' },
          },
        },
      },
    ]),
  );
}

/** The error body with the codes of one status as an enum. */
function errorSchema(codes: string[]) {
  return jsonSchema(
    z.object({
      error: z.object({
        code: z.enum(codes as [string, ...string[]]),
        message: z.string(),
        fields: z.record(z.string(), z.string()).optional().describe('each bad field by its path, e.g. limits.storageMb'),
        requestId: z.string().optional(),
      }),
    }),
    'output',
  );
}

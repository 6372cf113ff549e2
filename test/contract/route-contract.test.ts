import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { buildOpenApi } from '../../functions/http/openapi';
import type { Route } from '../../functions/http/route';
import { ROUTES } from '../../functions/http/routes';
import { api } from '../support/api';
import { ContractViolation, createContract, routeTableGaps, type OpenApiDocument } from '../support/contract';
import { request } from '../support/http';

/**
 * The contract test, driven by the route table. Every response the API tests receive goes through
 * test/support/http.ts, which validates it against the document (status and body); this file
 * proves that the document describes every route of the table, and that the checker refuses what
 * it must.
 */
const doc = buildOpenApi(ROUTES, '0.1.0') as unknown as OpenApiDocument;

/** Routes whose body is open by nature, with the reason. */
const OPEN_BODIES = { 'GET /openapi.json': 'an OpenAPI 3.1 document: its schema is OpenAPI’s own' };

const json = 'application/json';
const err = (code: string, message = 'x') => JSON.stringify({ error: { code, message } });

describe('the route table and the document', () => {
  it('describes every route: its operation, its success bodies (closed schemas), CSV alternatives, request bodies, errors', () => {
    expect(routeTableGaps(doc, ROUTES, OPEN_BODIES)).toEqual([]);
  });

  it('fails for a new route whose success body is not described or open', () => {
    const handle = async () => ({});
    const fake: Route[] = [
      { method: 'GET', path: '/widgets', access: 'reseller', tag: 'x', summary: 'no body described', status: 200, response: null, handle },
      { method: 'GET', path: '/widgets/{widgetId}', access: 'reseller', tag: 'x', summary: 'anything', params: z.strictObject({ widgetId: z.string() }), status: 200, response: z.unknown(), handle },
      { method: 'POST', path: '/widgets', access: 'reseller', tag: 'x', summary: 'an open object', body: z.strictObject({ a: z.string() }), status: 201, response: z.looseObject({ id: z.string() }), handle },
      { method: 'PUT', path: '/widgets/{widgetId}', access: 'reseller', tag: 'x', summary: 'open request', params: z.strictObject({ widgetId: z.string() }), body: z.record(z.string(), z.any()), status: 200, response: z.object({ items: z.array(z.any()) }), handle },
    ];
    const gaps = routeTableGaps(buildOpenApi([...ROUTES, ...fake], '0') as unknown as OpenApiDocument, [...ROUTES, ...fake], OPEN_BODIES);
    expect(gaps).toEqual([
      'GET /widgets: its 200 is documented without a body (only a 204 has none)',
      'GET /widgets/{widgetId}: its 200 body is open at $',
      'POST /widgets: its 201 body is open at $.additionalProperties',
      'PUT /widgets/{widgetId}: its 200 body is open at $.items.[]',
      'PUT /widgets/{widgetId}: its request body is open at $.additionalProperties',
    ]);
    // A documented operation the table does not have is a gap too.
    expect(routeTableGaps(doc, ROUTES.filter((r) => r.path !== '/health'), OPEN_BODIES)).toEqual(['GET /health: documented, not in the route table']);
  });
});

describe('the contract checker', () => {
  const contract = createContract([doc]);
  const check = (method: string, url: string, status: number, text: string, contentType: string | null = json) => () => contract.check({ method, url, status, contentType, text });

  it('refuses a status the operation does not document (a 409 on a GET), and a 500', () => {
    expect(check('GET', '/users/web1', 409, err('CONFLICT'))).toThrow(/documents 200, 400, 401, 403, 404, not 409/);
    expect(check('GET', '/users/web1', 500, JSON.stringify({ error: { code: 'INTERNAL', message: 'x', requestId: 'r' } }))).toThrow(ContractViolation);
    expect(check('GET', '/users/web1', 404, err('NOT_FOUND'))).not.toThrow();
  });

  it("refuses an error code that is not one of its status's codes", () => {
    expect(check('POST', '/templates', 409, err('NOT_FOUND'))).toThrow(/must be equal to one of the allowed values/);
    expect(check('POST', '/templates', 409, err('HARD_LIMIT'))).not.toThrow();
  });

  it('refuses a body with a field the schema does not have, a missing field, a wrong type', () => {
    const ok = { status: 'ok' };
    const health = ROUTES.find((r) => r.path === '/health')!;
    expect(health.response!.safeParse(ok).success).toBe(true);
    expect(check('GET', '/health', 200, JSON.stringify(ok))).not.toThrow();
    expect(check('GET', '/health', 200, JSON.stringify({ ...ok, extra: 1 }))).toThrow(/must NOT have additional properties: extra/);
    expect(check('GET', '/health', 200, '{}')).toThrow(/must have required property 'status'/);
    expect(check('GET', '/health', 200, '[1]')).toThrow(/must be object/);
    expect(check('GET', '/health', 200, 'not json')).toThrow(/not valid JSON/);
    expect(check('GET', '/health', 200, '')).toThrow(/the body is empty/);
  });

  it('matches path templates, ignores query strings, prefers the operation of the method', () => {
    expect(contract.match('GET', '/users?limit=2&cursor=abc')).toMatchObject({ template: '/users' });
    expect(contract.match('GET', '/users/web12/stats?month=2026-01')).toMatchObject({ template: '/users/{username}/stats' });
    expect(contract.match('GET', '/users/web12/billing/ledger')).toMatchObject({ template: '/users/{username}/billing/ledger' });
    expect(contract.match('DELETE', '/operator/resellers/r1/ips/10.0.0.1')).toMatchObject({ template: '/operator/resellers/{resellerId}/ips/{ip}' });
    expect(contract.match('GET', '/users/web12/nothing')).toEqual({ pathMatched: false });
    expect(contract.match('PUT', '/users/web12')).toEqual({ pathMatched: true });
  });

  it('204: only an empty body', () => {
    expect(check('DELETE', '/users/web1', 204, '')).not.toThrow();
    expect(check('DELETE', '/users/web1', 204, '{}')).toThrow(/documented without a body/);
  });

  it('text/csv only where documented, and as CSV', () => {
    expect(check('GET', '/stats/users?month=2026-01', 200, 'username,name\r\nweb1,Ann\r\n', 'text/csv; charset=utf-8')).not.toThrow();
    expect(check('GET', '/stats/users', 200, 'just text', 'text/csv; charset=utf-8')).toThrow(/must match pattern/);
    expect(check('GET', '/users', 200, 'username\r\nweb1\r\n', 'text/csv')).toThrow(/the body is text\/csv; documented: application\/json/);
  });

  it('requests no operation has: 404 or 405 with the error body, nothing else', () => {
    expect(check('GET', '/no/such/route', 404, err('NOT_FOUND'))).not.toThrow();
    expect(check('GET', '/no/such/route', 401, err('UNAUTHORIZED'))).not.toThrow();
    expect(check('PUT', '/users/web1', 405, err('METHOD_NOT_ALLOWED'))).not.toThrow();
    expect(check('GET', '/no/such/route', 200, '{}')).toThrow(/no operation has this path/);
    expect(check('PUT', '/users/web1', 200, '{}')).toThrow(/the path has no PUT operation/);
    expect(check('GET', '/no/such/route', 404, err('CONFLICT'))).toThrow(ContractViolation);
  });
});

describe('the HTTP helper', () => {
  let server: Server;
  let base: string;
  // A stand-in API that serves the real document but answers GET /users/{username} with a 409.
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', json);
      if (req.url === '/openapi.json') return res.end(JSON.stringify(doc));
      res.statusCode = req.url === '/health' ? 200 : 409;
      res.end(req.url === '/health' ? JSON.stringify({ status: 'ok', surprise: true }) : err('CONFLICT'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('throws from the call that received an undocumented status or a mismatching body, failing its test', async () => {
    await expect(request(base, 'GET', '/users/web1', { token: 't' })).rejects.toThrow(/GET \/users\/web1 answered 409.*not 409/);
    await expect(request(base, 'GET', '/health')).rejects.toThrow(/additional properties: surprise/);
  });

  it('passes what the runtime answers as documented', async () => {
    expect(await api('GET', '/health')).toMatchObject({ status: 200 });
    expect((await api('GET', '/users/web1')).status).toBe(401);
  });
});

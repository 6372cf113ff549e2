/**
 * Bad input on every route of the table: a malformed JSON body, an unknown field, a body of the
 * wrong type, a malformed path parameter. Each answers a 4xx in the error format naming the field,
 * never a 500. Driven by the route table, so a new route is checked by being added.
 */
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/http/routes';
import { api, newReseller, operator } from '../support/api';

const paramNames = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
const withParams = (path: string, value: (name: string) => string) => path.replace(/\{(\w+)\}/g, (_m, n: string) => encodeURIComponent(value(n)));

/** Values that pass each path parameter's own schema (the body is what these requests get wrong). */
const PLAUSIBLE: Record<string, string> = {
  resellerId: 'r00000000000000000000',
  templateId: 't00000000000000000000',
  username: 'web999999',
  ip: '192.0.2.10',
  serverId: 'local-1',
};

async function tokenFor(access: string) {
  if (access === 'operator') return operator();
  if (access === 'public') return undefined;
  return (await newReseller()).token;
}

const withBody = ROUTES.filter((r) => r.body);
const withParamsOnly = ROUTES.filter((r) => paramNames(r.path).length > 0 && r.access !== 'public');

describe('bad input on every route names the field and is never a 500', () => {
  it.each(withBody.map((r) => [`${r.method} ${r.path}`, r] as const))('%s: malformed JSON, unknown field, wrong type', async (_n, route) => {
    const token = await tokenFor(route.access);
    const path = withParams(route.path, (n) => PLAUSIBLE[n] ?? 'x');

    const malformed = await api(route.method, path, { token, rawBody: '{"a": ', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.fields).toEqual({ body: 'is not valid JSON' });

    const unknown = await api(route.method, path, { token, body: { ...(route.example as object), surpriseField: 1 } });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.error.fields)).toContain('surpriseField');

    const wrongType = await api(route.method, path, { token, body: ['not', 'an', 'object'] });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.code).toBe('VALIDATION');
    expect(Object.keys(wrongType.body.error.fields ?? {}).length).toBeGreaterThan(0);
  });

  it.each(withParamsOnly.map((r) => [`${r.method} ${r.path}`, r] as const))('%s: a malformed path parameter', async (_n, route) => {
    const token = await tokenFor(route.access);
    const res = await api(route.method, withParams(route.path, () => '..%2F..%2Fetc'), { token, body: route.example });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.error.code).toEqual(expect.any(String));
  });
});

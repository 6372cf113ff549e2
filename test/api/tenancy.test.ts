import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/http/routes';
import type { Route } from '../../functions/http/route';
import { api, newReseller, type TestReseller } from '../support/api';
import { FIXTURES } from '../support/fixtures';

const paramNames = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);

/** `forRoute`: fixtures for this route only (they may build only what it reaches), else for every route. */
async function resolveParams(route: Route, owner: TestReseller, forRoute = false): Promise<Record<string, string>> {
  const resolved: Record<string, string> = {};
  for (const name of paramNames(route.path)) {
    const fixture = FIXTURES[name];
    if (!fixture) throw new Error(`no tenancy fixture for path parameter {${name}} of ${route.method} ${route.path}: add one to test/support/fixtures.ts`);
    resolved[name] = await fixture(owner, resolved, forRoute ? route.path : undefined);
  }
  return resolved;
}

const fill = (path: string, params: Record<string, string>) =>
  path.replace(/\{(\w+)\}/g, (_m, n: string) => encodeURIComponent(params[n] as string));

/**
 * Everything a reseller can read about its world, through every GET route it may call:
 * a foreign request must leave all of it as it was.
 */
async function snapshot(owner: TestReseller, params: Record<string, string>) {
  const reads = ROUTES.filter(
    (r) => r.method === 'GET' && (r.access === 'reseller' || r.access === 'any') && paramNames(r.path).every((n) => n in params),
  );
  // All at once: the reads do not depend on each other (a serial walk was most of this file's time).
  const results = await Promise.all(reads.map((r) => api('GET', fill(r.path, params), { token: owner.token })));
  return Object.fromEntries(reads.map((r, i) => [r.path, { status: results[i]!.status, body: results[i]!.body }]));
}

/**
 * Fixtures shared by routes that cannot change them: a GET leaves the owner's world as it was, so
 * GET routes reuse one owner and its fixtures per parameter set; a route that may change something
 * gets an owner and fixtures of its own (its control request does change them).
 */
const sharedOwners = new Map<string, Promise<{ owner: TestReseller; params: Record<string, string> }>>();
function ownerFor(route: Route): Promise<{ owner: TestReseller; params: Record<string, string> }> {
  const fresh = async (forRoute: boolean) => {
    const owner = await newReseller();
    return { owner, params: await resolveParams(route, owner, forRoute) };
  };
  if (route.method !== 'GET') return fresh(true);
  const key = paramNames(route.path).join(',');
  if (!sharedOwners.has(key)) sharedOwners.set(key, fresh(false));
  return sharedOwners.get(key)!;
}

const tenantRoutes = ROUTES.filter((r) => (r.access === 'reseller' || r.access === 'any') && paramNames(r.path).length > 0);
const operatorRoutes = ROUTES.filter((r) => r.access === 'operator');

describe('tenancy matrix, driven by the route table', () => {
  // The intruder only sends requests that must fail: one for the whole matrix.
  let intruder: TestReseller;
  beforeAll(async () => {
    intruder = await newReseller();
  });

  it('every route with a body carries a valid example (the matrix sends it)', () => {
    for (const r of ROUTES.filter((r) => r.body)) {
      expect(r.example, `${r.method} ${r.path} needs an example`).toBeDefined();
      const parsed = r.body!.safeParse(r.example);
      expect(parsed.success, `${r.method} ${r.path} example: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
  });

  it('has a fixture for every path parameter of every route', () => {
    const missing = ROUTES.flatMap((r) => paramNames(r.path)).filter((n) => !FIXTURES[n]);
    expect(missing).toEqual([]);
  });

  it.each(tenantRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    "%s: another reseller's token gets 404 and changes nothing",
    async (_name, route) => {
      const { owner, params } = await ownerFor(route);
      const before = await snapshot(owner, params);
      const res = await api(route.method, fill(route.path, params), { token: intruder.token, body: route.example });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
      expect(await snapshot(owner, params)).toEqual(before);
      // Control: the owner reaches the very same thing, so the 404 above was about the tenant.
      const own = await api(route.method, fill(route.path, params), { token: owner.token, body: route.example });
      expect(own.status).not.toBe(404);
    },
    // Some fixtures wait for background work to settle (a circular, a registration e-mail).
    60_000,
  );

  // A reseller's token on an operator route must change nothing: one such reseller serves them all.
  let operatorRouteOwner: Promise<TestReseller> | undefined;
  it.each(operatorRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    "%s: a reseller's token gets 403 and changes nothing",
    async (_name, route) => {
      const owner = await (operatorRouteOwner ??= newReseller());
      const params = await resolveParams(route, owner);
      const before = await snapshot(owner, params);
      const res = await api(route.method, fill(route.path, params), { token: owner.token, body: route.example });
      expect(res.status).toBe(403);
      expect(await snapshot(owner, params)).toEqual(before);
    },
  );
});

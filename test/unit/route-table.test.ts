import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/http/routes';
import { HTTP_LAMBDAS, lambdaOf, type HttpLambda } from '../../functions/http/lambdas';
import { PEOPLE_ONLY, type Route } from '../../functions/http/route';
import { checkScopes } from '../../functions/http/router';
import { narrowScopes, SCOPE_NAMES, scopesFromClaim } from '../../shared/domain/scopes';

const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

describe('route table', () => {
  it('has each method and path once', () => {
    const keys = ROUTES.map(key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('lets each function entry serve exactly the routes of its group', async () => {
    for (const name of Object.keys(HTTP_LAMBDAS) as HttpLambda[]) {
      // docs on AWS serves a file rendered at synth (test/infra/bundle-budget.test.ts); its routes locally:
      const file = name === 'docs' ? 'docs-local' : name;
      const entry = (await import(`../../functions/http/lambdas/${file}.ts`)) as { routes: readonly Route[] };
      const served = entry.routes.map(key).sort();
      const table = ROUTES.filter((r) => lambdaOf(r) === name).map(key).sort();
      // A route missing here: import its route module in functions/http/lambdas/<name>.ts.
      expect(served, `functions/http/lambdas/${name}.ts`).toEqual(table);
    }
    expect(ROUTES.filter((r) => lambdaOf(r) === 'docs').map(key)).toEqual(['GET /openapi.json']);
    expect(lambdaOf(ROUTES.find((r) => key(r) === 'POST /auth/login')!)).toBe('identity');
    expect(lambdaOf({ tag: 'a-tag-nobody-mapped' })).toBe('api');
  });

  it('gives every reseller route scopes from the catalogue (GET reads, the rest writes), or PEOPLE_ONLY', () => {
    for (const r of ROUTES.filter((r) => r.access === 'reseller' || r.access === 'any')) {
      expect(r.scopes, `${key(r)} declares no scopes`).toBeDefined();
      if (r.scopes === PEOPLE_ONLY) continue;
      expect(r.scopes!.length, key(r)).toBeGreaterThan(0);
      for (const s of r.scopes!) {
        expect(SCOPE_NAMES, key(r)).toContain(s);
        expect(s.endsWith(':read'), `${key(r)} needs ${s}`).toBe(r.method === 'GET');
      }
    }
    for (const r of ROUTES.filter((r) => r.access === 'operator' || r.access === 'public')) expect(r.scopes, key(r)).toBeUndefined();
  });

  it('lets a client token through only with every scope of the route; a person always', () => {
    const r = ROUTES.find((x) => key(x) === 'POST /users')!;
    const client = (scopes: typeof SCOPE_NAMES[number][]) => ({ role: 'reseller' as const, username: 'client:c', clientId: 'c', resellerId: 'r', scopes });
    expect(() => checkScopes(r, client(['users:write']))).not.toThrow();
    expect(() => checkScopes(r, client(['users:read']))).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_SCOPE', fields: { scope: 'users:write' } }));
    expect(() => checkScopes(r, { role: 'reseller', username: 'acme', resellerId: 'r' })).not.toThrow();
    const people = ROUTES.find((x) => key(x) === 'POST /api-clients')!;
    expect(() => checkScopes(people, client([...SCOPE_NAMES]))).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => checkScopes({ ...r, scopes: undefined }, client([...SCOPE_NAMES]))).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
  });
});

describe('scope claims and narrowing', () => {
  it('reads Cognito-prefixed and bare scopes, drops anything else', () => {
    expect(scopesFromClaim('reseller-panel/users:read users:write other/billing:read nope aws.cognito.signin.user.admin')).toEqual(['users:read', 'users:write']);
    expect(scopesFromClaim(undefined)).toEqual([]);
  });
  it('narrows to a subset, refuses what the client does not hold', () => {
    expect(narrowScopes(['users:read', 'users:write'], undefined)).toEqual({ granted: ['users:read', 'users:write'] });
    expect(narrowScopes(['users:read', 'users:write'], ' users:read ')).toEqual({ granted: ['users:read'] });
    expect(narrowScopes(['users:read'], 'users:read billing:write x')).toEqual({ refused: ['billing:write', 'x'] });
  });
});

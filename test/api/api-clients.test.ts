import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/http/routes';
import { PEOPLE_ONLY, type Route } from '../../functions/http/route';
import { SCOPE_NAMES, type Scope } from '../../shared/domain/scopes';
import { api, newReseller, operator, type TestReseller } from '../support/api';
import { FIXTURES } from '../support/fixtures';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** POST /auth/token as an OAuth client sends it: form-encoded, the client in HTTP Basic. */
function tokenRequest(form: Record<string, string>, authorization?: string, contentType = 'application/x-www-form-urlencoded') {
  return api('POST', '/auth/token', {
    rawBody: new URLSearchParams(form).toString(),
    headers: { 'content-type': contentType, ...(authorization ? { authorization } : {}) },
  });
}

async function newClient(owner: TestReseller, scopes: Scope[], name = 'shop') {
  const res = await api('POST', '/api-clients', { token: owner.token, body: { name, scopes } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { clientId: string; clientSecret: string; name: string; scopes: Scope[]; createdAt: string };
}

async function clientToken(client: { clientId: string; clientSecret: string }, scope?: string): Promise<string> {
  const res = await tokenRequest({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }, basic(client.clientId, client.clientSecret));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.access_token;
}

describe('API clients', () => {
  it('create (secret once), list (no secrets), token, use, 403 without the scope, revoke → 401', async () => {
    const owner = await newReseller();
    const client = await newClient(owner, ['users:read', 'templates:read']);
    expect(client).toMatchObject({ name: 'shop', scopes: ['users:read', 'templates:read'] });
    expect(client.clientId).toMatch(/^[a-z0-9]{26}$/);
    expect(client.clientSecret.length).toBeGreaterThanOrEqual(40);

    const list = await api('GET', '/api-clients', { token: owner.token });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([{ clientId: client.clientId, name: 'shop', scopes: ['users:read', 'templates:read'], createdAt: client.createdAt }]);
    expect(JSON.stringify(list.body)).not.toContain(client.clientSecret);

    const res = await tokenRequest({ grant_type: 'client_credentials' }, basic(client.clientId, client.clientSecret));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: expect.any(Number), scope: 'users:read templates:read' });
    expect(res.headers.get('cache-control')).toBe('no-store');
    const token = res.body.access_token as string;

    // Used like a person's token, within its scopes, on the reseller's own world.
    const users = await api('GET', '/users', { token });
    expect(users.status).toBe(200);
    expect((await api('GET', '/templates', { token })).status).toBe(200);

    // Without the scope: 403 naming it, and nothing created.
    const denied = await api('POST', '/templates', { token, body: { name: 'by-client', limits: { storageMb: 10 } } });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('INSUFFICIENT_SCOPE');
    expect(denied.body.error.fields).toEqual({ scope: 'templates:write' });
    expect(denied.headers.get('www-authenticate')).toContain('insufficient_scope');
    expect((await api('GET', '/templates', { token: owner.token })).body.items).toEqual([]);

    // A client never manages clients or the password, whatever its scopes.
    expect((await api('GET', '/api-clients', { token })).status).toBe(403);
    expect((await api('POST', '/api-clients', { token, body: { name: 'x', scopes: ['users:write'] } })).status).toBe(403);
    // Operator routes are never reachable by a client token.
    expect((await api('GET', '/operator/resellers', { token })).status).toBe(403);

    // Narrowing at the token endpoint: a token with less; a scope the client lacks is invalid_scope.
    const narrow = await clientToken(client, 'users:read');
    expect((await api('GET', '/users', { token: narrow })).status).toBe(200);
    expect((await api('GET', '/templates', { token: narrow })).body.error.code).toBe('INSUFFICIENT_SCOPE');
    const wider = await tokenRequest({ grant_type: 'client_credentials', scope: 'users:read users:write' }, basic(client.clientId, client.clientSecret));
    expect(wider.status).toBe(400);
    expect(wider.body.error).toBe('invalid_scope');

    // Revoked: its tokens are refused at once, and no new one is issued.
    expect((await api('DELETE', `/api-clients/${client.clientId}`, { token: owner.token })).status).toBe(204);
    const after = await api('GET', '/users', { token });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('UNAUTHORIZED');
    const again = await tokenRequest({ grant_type: 'client_credentials' }, basic(client.clientId, client.clientSecret));
    expect(again.status).toBe(401);
    expect(again.body.error).toBe('invalid_client');
    expect((await api('GET', '/api-clients', { token: owner.token })).body.items).toEqual([]);
    expect((await api('DELETE', `/api-clients/${client.clientId}`, { token: owner.token })).status).toBe(404);
  });

  it('a client writes within its scopes, for its own reseller only', async () => {
    const owner = await newReseller();
    const token = await clientToken(await newClient(owner, ['templates:write', 'templates:read']));
    const created = await api('POST', '/templates', { token, body: { name: 'by-client', limits: { storageMb: 10 } } });
    expect(created.status).toBe(201);
    const seen = await api('GET', `/templates/${created.body.id}`, { token: owner.token });
    expect(seen.status).toBe(200);
    const other = await newReseller();
    expect((await api('GET', '/templates', { token: other.token })).body.items).toEqual([]);
  });

  it('an unknown scope is a 400 naming scopes; a bad name too', async () => {
    const owner = await newReseller();
    const bad = await api('POST', '/api-clients', { token: owner.token, body: { name: 'x', scopes: ['users:read', 'root:everything'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION');
    expect(bad.body.error.fields.scopes).toContain('root:everything');
    const none = await api('POST', '/api-clients', { token: owner.token, body: { name: 'x', scopes: [] } });
    expect(none.status).toBe(400);
    expect(none.body.error.fields).toHaveProperty('scopes');
    const noName = await api('POST', '/api-clients', { token: owner.token, body: { name: ' ', scopes: ['users:read'] } });
    expect(noName.body.error.fields).toHaveProperty('name');
    expect((await api('GET', '/api-clients', { token: owner.token })).body.items).toEqual([]);
  });

  it('the token endpoint answers RFC 6749 errors', async () => {
    const owner = await newReseller();
    const client = await newClient(owner, ['users:read']);
    const wrongSecret = await tokenRequest({ grant_type: 'client_credentials' }, basic(client.clientId, `${client.clientSecret}x`));
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body.error).toBe('invalid_client');
    expect(wrongSecret.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(wrongSecret.headers.get('cache-control')).toBe('no-store');
    expect((await tokenRequest({ grant_type: 'client_credentials' }, basic('nosuchclient', 'x'))).body.error).toBe('invalid_client');
    expect((await tokenRequest({ grant_type: 'client_credentials' }, 'Basic !!!')).status).toBe(401);
    const noAuth = await tokenRequest({ grant_type: 'client_credentials' });
    expect(noAuth.status).toBe(401);
    expect(noAuth.body.error).toBe('invalid_client');
    const wrongGrant = await tokenRequest({ grant_type: 'password', username: 'a', password: 'b' }, basic(client.clientId, client.clientSecret));
    expect(wrongGrant.status).toBe(400);
    expect(wrongGrant.body.error).toBe('unsupported_grant_type');
    const noGrant = await tokenRequest({}, basic(client.clientId, client.clientSecret));
    expect(noGrant.status).toBe(400);
    expect(noGrant.body.error).toBe('invalid_request');
    const json = await tokenRequest({ grant_type: 'client_credentials' }, basic(client.clientId, client.clientSecret), 'application/json');
    expect(json.status).toBe(400);
    expect(json.body.error).toBe('invalid_request');
    const unknownScope = await tokenRequest({ grant_type: 'client_credentials', scope: 'nope:nope' }, basic(client.clientId, client.clientSecret));
    expect(unknownScope.body.error).toBe('invalid_scope');
  });

  it('a locked reseller: its client tokens get 403 ACCOUNT_LOCKED and no new token (invalid_grant)', async () => {
    const owner = await newReseller();
    const client = await newClient(owner, ['users:read']);
    const token = await clientToken(client);
    expect((await api('POST', `/operator/resellers/${owner.id}/lock`, { token: await operator() })).status).toBe(200);
    const res = await api('GET', '/users', { token });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('ACCOUNT_LOCKED');
    const t = await tokenRequest({ grant_type: 'client_credentials' }, basic(client.clientId, client.clientSecret));
    expect(t.status).toBe(400);
    expect(t.body.error).toBe('invalid_grant');
  });

  it("another reseller's client id is a 404 on delete, and stays", async () => {
    const owner = await newReseller();
    const intruder = await newReseller();
    const client = await newClient(owner, ['users:read']);
    const res = await api('DELETE', `/api-clients/${client.clientId}`, { token: intruder.token });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect((await api('GET', '/api-clients', { token: owner.token })).body.items).toHaveLength(1);
    await clientToken(client);
  });
});

const paramNames = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
const fill = (path: string, params: Record<string, string>) => path.replace(/\{(\w+)\}/g, (_m, n: string) => encodeURIComponent(params[n] as string));
const resellerRoutes = ROUTES.filter((r) => r.access === 'reseller' || r.access === 'any');

describe('scopes, driven by the route table', () => {
  it('every reseller route declares its scopes from the catalogue', () => {
    for (const r of resellerRoutes) {
      expect(r.scopes, `${r.method} ${r.path} declares no scopes`).toBeDefined();
      if (r.scopes !== PEOPLE_ONLY) {
        expect(r.scopes!.length, `${r.method} ${r.path}`).toBeGreaterThan(0);
        for (const s of r.scopes!) expect(SCOPE_NAMES).toContain(s);
      }
    }
  });

  it('a client token without a route\'s scope gets 403 on every reseller route, and nothing changes', async () => {
    const owner = await newReseller();
    const params: Record<string, string> = {};
    for (const name of new Set(resellerRoutes.flatMap((r) => paramNames(r.path)))) params[name] = await FIXTURES[name]!(owner, params);
    // The reads, the clients and the refused requests do not depend on each other: all at once.
    const reads = resellerRoutes.filter((r) => r.method === 'GET');
    const snapshot = async () => {
      const res = await Promise.all(reads.map((r) => api('GET', fill(r.path, params), { token: owner.token })));
      return Object.fromEntries(reads.map((r, i) => [r.path, { status: res[i]!.status, body: res[i]!.body }]));
    };
    // One client per distinct scope set: it holds every scope but the ones the route needs.
    const neededOf = (r: (typeof resellerRoutes)[number]) => (r.scopes === PEOPLE_ONLY ? [] : (r.scopes as readonly Scope[]));
    const keyOf = (needed: readonly Scope[]) => [...needed].sort().join(' ');
    const before = await snapshot();
    const sets = [...new Map(resellerRoutes.map((r) => [keyOf(neededOf(r)), neededOf(r)])).entries()];
    const tokens = new Map(
      await Promise.all(
        sets.map(async ([key, needed]) => {
          const scopes = SCOPE_NAMES.filter((s) => !needed.includes(s));
          return [key, await clientToken(await newClient(owner, scopes, `all-but ${key}`.slice(0, 64)))] as const;
        }),
      ),
    );
    const refused = await Promise.all(
      resellerRoutes.map((r) => api(r.method, fill(r.path, params), { token: tokens.get(keyOf(neededOf(r)))!, body: (r as Route).example })),
    );
    resellerRoutes.forEach((r, i) => {
      const res = refused[i]!;
      expect(res.status, `${r.method} ${r.path}: ${JSON.stringify(res.body)}`).toBe(403);
      expect(res.body.error.code, `${r.method} ${r.path}`).toBe(r.scopes === PEOPLE_ONLY ? 'FORBIDDEN' : 'INSUFFICIENT_SCOPE');
      if (r.scopes !== PEOPLE_ONLY) expect(neededOf(r)).toContain(res.body.error.fields.scope);
    });
    const after = await snapshot();
    // GET /api-clients lists the clients this test made for itself: compare everything else.
    delete (before as Record<string, unknown>)['/api-clients'];
    delete (after as Record<string, unknown>)['/api-clients'];
    expect(after).toEqual(before);
  }, 120_000);
});

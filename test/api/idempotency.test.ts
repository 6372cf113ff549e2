/**
 * Idempotency-Key on the POSTs that create or charge (issue 11 item 3), through the HTTP API of the
 * shared runtime; expiry and a claim whose request died on a runtime of its own (its dev clock moves).
 */
import { randomUUID } from 'node:crypto';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, newReseller, operator, type TestReseller } from '../support/api';
import { startOwnRuntime, type OwnRuntime } from '../support/own-runtime';
import { request } from '../support/http';
import { KEY_TTL_MS, LEASE_MS } from '../../shared/domain/idempotency';
import { keys } from '../../shared/adapters/dynamodb/keys';
import { keyHash } from '../../shared/adapters/dynamodb/idempotency-store';
import { ROUTES } from '../../functions/http/routes';

const userBody = (email = 'idem@example.com') => ({
  limits: { storageMb: 10 },
  services: { ftp: true },
  personal: { firstName: 'Idem', lastName: 'Potent', email },
});

const withKey = (key: string) => ({ 'Idempotency-Key': key });

async function userCount(r: TestReseller): Promise<number> {
  const res = await api('GET', '/users?limit=100', { token: r.token });
  expect(res.status).toBe(200);
  return res.body.items.length;
}

/** A template with a plan, a user and its billing account: money can be paid in. */
async function billedUser(call: (m: string, p: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; body: any }>) {
  const t = await call('POST', '/templates', { name: `idem-${randomUUID().slice(0, 8)}`, limits: { storageMb: 100 } });
  expect(t.status).toBe(201);
  const plan = await call('PUT', `/templates/${t.body.id}/plan`, {
    plan: { name: 'Idem', resources: { mailbox_quota: { free: '10', recurrent: '2' } }, creditLimit: '1000' },
  });
  expect(plan.status).toBe(200);
  const u = await call('POST', '/users', userBody());
  expect(u.status).toBe(201);
  const opened = await call('POST', `/users/${u.body.username}/billing`, { templateId: t.body.id });
  expect(opened.status).toBe(201);
  return u.body.username as string;
}

async function paymentLines(call: (m: string, p: string) => Promise<{ status: number; body: any }>, user: string) {
  const res = await call('GET', `/users/${user}/billing/ledger?limit=100`);
  expect(res.status).toBe(200);
  return (res.body.lines as { type: string; amount: string; reference?: string }[]).filter((l) => l.type === 'payment' || l.type === 'adjustment');
}

describe('Idempotency-Key', () => {
  let a: TestReseller;
  let b: TestReseller;
  const call = (m: string, p: string, body?: unknown, headers?: Record<string, string>) => api(m, p, { token: a.token, body, headers });

  beforeAll(async () => {
    [a, b] = await Promise.all([newReseller(), newReseller()]);
  });

  it('a repeat with the same key and body answers the first response and creates one user', async () => {
    const key = randomUUID();
    const first = await call('POST', '/users', userBody(), withKey(key));
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    // The same body with its fields in another order is the same request.
    const { personal, services, limits } = userBody();
    const again = await call('POST', '/users', { personal, services, limits }, withKey(key));
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await userCount(a)).toBe(1);
  });

  it('a payment repeated with the same key charges once: one line in the ledger', async () => {
    const user = await billedUser(call);
    const key = randomUUID();
    const first = await call('POST', `/users/${user}/billing/payments`, { amount: '12.50' }, withKey(key));
    expect(first.status).toBe(201);
    const again = await call('POST', `/users/${user}/billing/payments`, { amount: '12.50' }, withKey(key));
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const adj = { amount: '3.00', reason: 'setup work', reference: 'ticket-1' };
    const adjKey = randomUUID();
    expect((await call('POST', `/users/${user}/billing/adjustments`, adj, withKey(adjKey))).status).toBe(201);
    expect((await call('POST', `/users/${user}/billing/adjustments`, adj, withKey(adjKey))).headers.get('idempotent-replayed')).toBe('true');
    const lines = await paymentLines(call, user);
    expect(lines.filter((l) => l.type === 'payment' && l.amount === '-12.50')).toHaveLength(1);
    expect(lines.filter((l) => l.type === 'adjustment')).toHaveLength(1);
    // Without a reference of its own, the payment's reference comes from the key.
    expect(first.body.line.reference).toMatch(/^idem-/);
  });

  it('parallel repeats with one key have one effect; the others are the replay or 409 IDEMPOTENCY_IN_PROGRESS', async () => {
    const r = await newReseller();
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => api('POST', '/users', { token: r.token, body: userBody(), headers: withKey(key) })),
    );
    const created = answers.filter((x) => x.status === 201);
    const busy = answers.filter((x) => x.status === 409);
    expect(created.length + busy.length).toBe(answers.length);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((x) => x.body.username)).size).toBe(1);
    for (const x of busy) {
      expect(x.body.error.code).toBe('IDEMPOTENCY_IN_PROGRESS');
      expect(x.body.error.fields).toHaveProperty('Idempotency-Key');
      expect(x.headers.get('retry-after')).toBe('1');
    }
    expect(await userCount(r)).toBe(1);
    // Once the first is done, a repeat is its replay.
    const later = await api('POST', '/users', { token: r.token, body: userBody(), headers: withKey(key) });
    expect(later.status).toBe(201);
    expect(later.headers.get('idempotent-replayed')).toBe('true');
    expect(later.body.username).toBe(created[0]!.body.username);
  });

  it('the same key with another body, or on another route, is 422 IDEMPOTENCY_KEY_REUSED naming the header; nothing is done', async () => {
    const key = randomUUID();
    expect((await call('POST', '/templates', { name: 'idem-one', limits: { storageMb: 1 } }, withKey(key))).status).toBe(201);
    const other = await call('POST', '/templates', { name: 'idem-two', limits: { storageMb: 1 } }, withKey(key));
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(other.body.error.fields).toHaveProperty('Idempotency-Key');
    const before = await userCount(a);
    const route = await call('POST', '/users', userBody(), withKey(key));
    expect(route.status).toBe(422);
    expect(route.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await userCount(a)).toBe(before);
    const templates = await call('GET', '/templates?limit=100');
    expect(templates.body.items.filter((t: { name: string }) => t.name === 'idem-two')).toHaveLength(0);
  });

  it('a malformed key is 400 naming Idempotency-Key, and nothing is created', async () => {
    const before = await userCount(a);
    for (const bad of ['', 'x'.repeat(256), 'has space', 'caf\u00e9']) {
      const res = await call('POST', '/users', userBody(), withKey(bad));
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION');
      expect(res.body.error.fields).toHaveProperty('Idempotency-Key');
    }
    expect((await call('POST', '/templates', { name: 'idem-max', limits: { storageMb: 1 } }, withKey('k'.repeat(255)))).status).toBe(201);
    expect(await userCount(a)).toBe(before);
  });

  it('a 4xx answer is kept for repeats like a success', async () => {
    const key = randomUUID();
    const first = await call('POST', '/users/web999999999/billing/payments', { amount: '1' }, withKey(key));
    expect(first.status).toBe(404);
    const again = await call('POST', '/users/web999999999/billing/payments', { amount: '1' }, withKey(key));
    expect(again.status).toBe(404);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
  });

  it("a key is the reseller's own: the same key and body from two resellers creates a user for each", async () => {
    const key = randomUUID();
    const fromA = await api('POST', '/users', { token: a.token, body: userBody('shared@example.com'), headers: withKey(key) });
    const fromB = await api('POST', '/users', { token: b.token, body: userBody('shared@example.com'), headers: withKey(key) });
    expect(fromA.status).toBe(201);
    expect(fromB.status).toBe(201);
    expect(fromB.headers.get('idempotent-replayed')).toBeNull();
    expect(fromB.body.username).not.toBe(fromA.body.username);
    expect((await api('GET', `/users/${fromA.body.username}`, { token: b.token })).status).toBe(404);
  });

  it("the operator's keys: a repeated reseller creation is the replay, not USERNAME_TAKEN", async () => {
    const key = randomUUID();
    const body = { username: `idem${randomUUID().slice(0, 8)}`, password: `pw-${randomUUID()}`, email: 'idem-op@example.com', limits: { users: 1 } };
    const first = await api('POST', '/operator/resellers', { token: await operator(), body, headers: withKey(key) });
    expect(first.status).toBe(201);
    const again = await api('POST', '/operator/resellers', { token: await operator(), body, headers: withKey(key) });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    // The operator's key is not the reseller's: the same string from a reseller is a request of its own.
    const fromReseller = await call('POST', '/templates', { name: 'idem-op-key', limits: { storageMb: 1 } }, withKey(key));
    expect(fromReseller.status).toBe(201);
  });

  it('routes that do not create or charge ignore the header', async () => {
    const res = await api('GET', '/account', { token: a.token, headers: withKey('') });
    expect(res.status).toBe(200);
  });
});

describe('Idempotency-Key in the route table and /openapi.json', () => {
  it('every POST that creates (201) or charges is marked idempotent', () => {
    const creating = ROUTES.filter((r) => r.method === 'POST' && (r.status === 201 || r.tag === 'billing'));
    expect(creating.filter((r) => !r.idempotent).map((r) => r.path)).toEqual([]);
    expect(ROUTES.filter((r) => r.idempotent && r.method !== 'POST')).toEqual([]);
  });

  it('documents the header, Idempotent-Replayed and the 409/422 codes on each such operation', async () => {
    const doc = (await api('GET', '/openapi.json')).body;
    const marked = ROUTES.filter((r) => r.idempotent);
    expect(marked.length).toBeGreaterThanOrEqual(14);
    for (const r of marked) {
      const op = doc.paths[r.path][r.method.toLowerCase()];
      expect(op.parameters.find((p: { name: string }) => p.name === 'Idempotency-Key'), r.path).toMatchObject({ in: 'header', required: false });
      expect(op.responses[String(r.status)].headers, r.path).toHaveProperty('Idempotent-Replayed');
      expect(op.responses['409'], r.path).toBeDefined();
      expect(op.responses['422'], r.path).toBeDefined();
    }
    const codes = (status: number) => doc.components.responses[`Error${status}`].content['application/json'].schema.properties.error.properties.code.enum;
    expect(codes(409)).toContain('IDEMPOTENCY_IN_PROGRESS');
    expect(codes(422)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    const plain = doc.paths['/users/{username}/lock'].post;
    expect((plain.parameters ?? []).map((p: { name: string }) => p.name)).not.toContain('Idempotency-Key');
  });
});

describe('Idempotency-Key against the clock (a runtime of its own: its dev clock moves)', () => {
  let own: OwnRuntime;
  let reseller: { id: string; token: string };
  const call = (m: string, p: string, body?: unknown, headers?: Record<string, string>) =>
    request(own.rt.url, m, p, { body, token: reseller.token, headers });

  beforeAll(async () => {
    own = await startOwnRuntime('idem', '2027-05-01T09:00:00Z', { backgroundJobs: false });
    reseller = await own.reseller('idemclock', { users: 20 });
  }, 120_000);

  afterAll(async () => {
    await own?.stop();
  });

  /** The reseller's key records as stored (the only items of its IDEM partition). */
  const records = async () =>
    (
      await own.rt.deps.db.send(
        new QueryCommand({
          TableName: own.rt.deps.tableName,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': keys.idempotencyKey(reseller.id, 'x').PK },
        }),
      )
    ).Items ?? [];

  it('keys expire after 24 h of the clock port (the dev clock here): the same key then is a new request', async () => {
    const key = randomUUID();
    const first = await call('POST', '/users', userBody(), withKey(key));
    expect(first.status).toBe(201);
    own.rt.clock.advance(KEY_TTL_MS - 60_000);
    const within = await call('POST', '/users', userBody(), withKey(key));
    expect(within.headers.get('idempotent-replayed')).toBe('true');
    own.rt.clock.advance(120_000);
    const after = await call('POST', '/users', userBody(), withKey(key));
    expect(after.status).toBe(201);
    expect(after.headers.get('idempotent-replayed')).toBeNull();
    expect(after.body.username).not.toBe(first.body.username);
    // On AWS DynamoDB's TTL removes the record: it carries expiresAt (epoch seconds) 24 h ahead.
    const stored = (await records()).find((i) => i.state === 'done' && i.expiresAt * 1000 > own.rt.clock.now().getTime() + KEY_TTL_MS - 5_000);
    expect(stored).toBeDefined();
    // The table holds neither the key nor the response in the clear.
    expect(JSON.stringify(await records())).not.toContain(key);
    expect(JSON.stringify(await records())).not.toContain(after.body.username);
  });

  it("an idempotent payment costs one round trip more (the claim): the key is completed in the payment's own transaction", async () => {
    const user = await billedUser(call);
    const trips = own.rt.deps.roundTrips;
    const cost = async (headers?: Record<string, string>) => {
      const before = { count: trips.count, ...trips.byCommand };
      const res = await call('POST', `/users/${user}/billing/payments`, { amount: '1' }, headers);
      expect(res.status).toBe(201);
      const by = Object.fromEntries(Object.entries(trips.byCommand).map(([c, n]) => [c, n - ((before as Record<string, number>)[c] ?? 0)]).filter(([, n]) => n));
      return { count: trips.count - before.count, by };
    };
    await cost(); // warm: the account is brought to today
    const plain = await cost();
    const keyed = await cost(withKey(randomUUID()));
    expect(keyed.count - plain.count, JSON.stringify({ plain, keyed })).toBe(1);
    expect(keyed.by.PutItem, JSON.stringify({ plain, keyed })).toBe(1);
    expect(keyed.by.UpdateItem).toBeUndefined();
  });

  it('a payment whose key record lost its answer (as if completion had failed) is charged once: 409 while leased, then the first payment', async () => {
    const user = await billedUser(call);
    const key = randomUUID();
    const first = await call('POST', `/users/${user}/billing/payments`, { amount: '40' }, withKey(key));
    expect(first.status).toBe(201);
    // As if the Lambda had died between the payment's transaction and keeping the response.
    const dead = (leaseUntil: number) =>
      own.rt.deps.db.send(
        new UpdateCommand({
          TableName: own.rt.deps.tableName,
          Key: keys.idempotencyKey(reseller.id, keyHash(key)),
          UpdateExpression: 'SET #s = :p, leaseUntil = :l REMOVE #r',
          ConditionExpression: '#s = :done',
          ExpressionAttributeNames: { '#s': 'state', '#r': 'response' },
          ExpressionAttributeValues: { ':p': 'in_progress', ':l': leaseUntil, ':done': 'done' },
        }),
      );
    await dead(own.rt.clock.now().getTime() + LEASE_MS);
    const busy = await call('POST', `/users/${user}/billing/payments`, { amount: '40' }, withKey(key));
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    expect(busy.headers.get('retry-after')).toBe('1');
    own.rt.clock.advance(LEASE_MS + 1000);
    const retried = await call('POST', `/users/${user}/billing/payments`, { amount: '40' }, withKey(key));
    expect(retried.status).toBe(201);
    expect(retried.body.line).toEqual(first.body.line);
    const lines = await paymentLines(call, user);
    expect(lines.filter((l) => l.type === 'payment' && l.amount === '-40.00')).toHaveLength(1);
    // That answer is kept now: the next repeat is a replay.
    const replay = await call('POST', `/users/${user}/billing/payments`, { amount: '40' }, withKey(key));
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });
});

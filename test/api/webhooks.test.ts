/**
 * Webhooks through the HTTP API (docs/webhooks.md): receivers on loopback get signed events that
 * the Standard Webhooks library verifies; a failing receiver gets the event again; deliveries list
 * every attempt; replay; bad input names the field; another reseller gets 404. An embedded runtime
 * of its own: short retry delays, and the dev clock moves for the billing event.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOwnRuntime, type OwnRuntime } from '../support/own-runtime';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

let rt: OwnRuntime;
/** Tomorrow and the day after (the dev clock only moves forward; close to today so few days are run). */
const dayAfter = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
let server: Server;
let base: string;
const received: Received[] = [];
/** Per path and webhook-id: how many times it was seen (the failing receiver answers 500 the first time). */
const seen = new Map<string, number>();

const until = async <T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> => {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};
const events = (path: string, type: string) => received.filter((r) => r.path === path && JSON.parse(r.body).type === type);

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const key = `${path} ${req.headers['webhook-id']}`;
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      const status = path.startsWith('/fail') && n === 1 ? 500 : 204;
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered: status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  rt = await startOwnRuntime('webhooks', `${dayAfter(1)}T10:00:00Z`, {
    env: { WEBHOOK_RETRY_SECONDS: '1,1,1', LOCAL_RATE_JOB_INTERVAL_MS: '300', PROVISION_RETRY_BASE_SECONDS: '1', PROVISION_RETRY_MAX_SECONDS: '2' },
  });
}, 120_000);

afterAll(async () => {
  await rt?.stop();
  server?.close();
});

describe('webhooks', () => {
  it('delivers user.created and user.provisioned, signed as Standard Webhooks, and billing.charged as days pass', async () => {
    const r = await rt.reseller('hooks1', { users: 20 });
    const created = await rt.call('POST', '/webhooks', { url: `${base}/ok`, events: ['user.created', 'user.provisioned', 'billing.charged', 'user.deleted'] }, r.token);
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.body).toMatchObject({ url: `${base}/ok`, status: 'enabled', events: ['user.created', 'user.provisioned', 'billing.charged', 'user.deleted'] });
    const wh = new Webhook(created.body.secret);
    // The secret is shown once.
    const listed = await rt.call('GET', '/webhooks', undefined, r.token);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');

    const user = await rt.call('POST', '/users', { limits: { storageMb: 10, trafficGb: 12 }, personal: { firstName: 'W', lastName: 'H', email: 'w@example.com' } }, r.token);
    expect(user.status).toBe(201);
    const username = user.body.username as string;

    for (const type of ['user.created', 'user.provisioned']) {
      const [got] = await until(type, () => (events('/ok', type).length ? events('/ok', type) : undefined));
      // The spec's own library verifies the signature and the timestamp's tolerance.
      const payload = wh.verify(got!.body, got!.headers as Record<string, string>) as { type: string; timestamp: string; data: Record<string, unknown> };
      expect(payload.type).toBe(type);
      expect(payload.data.username).toBe(username);
      expect(got!.headers['webhook-id']).toMatch(/^evt_[0-9a-z]+$/);
      expect(got!.headers['content-type']).toBe('application/json');
      // A wrong secret does not verify.
      expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(got!.body, got!.headers as Record<string, string>)).toThrow();
    }
    expect(events('/ok', 'user.created')).toHaveLength(1);

    // Billing: a plan with a recurrent price; the day's lines are written when the day is over.
    const tpl = await rt.call('POST', '/templates', { name: 'hooks', limits: { storageMb: 10 } }, r.token);
    const plan = await rt.call('PUT', `/templates/${tpl.body.id}/plan`, { plan: { name: 'H', resources: { traffic: { free: '10', setup: '0', recurrent: '2' } }, creditLimit: '100', billingPeriods: [1] } }, r.token);
    expect(plan.status).toBe(200);
    expect((await rt.call('POST', `/users/${username}/billing`, { templateId: tpl.body.id }, r.token)).status).toBe(201);
    await rt.goTo(dayAfter(2));
    const [charged] = await until('billing.charged', () => (events('/ok', 'billing.charged').length ? events('/ok', 'billing.charged') : undefined));
    const c = wh.verify(charged!.body, charged!.headers as Record<string, string>) as { data: { username: string; total: string; lines: { type: string }[] } };
    expect(c.data.username).toBe(username);
    expect(Number(c.data.total)).toBeGreaterThan(0);
    expect(c.data.lines.map((l) => l.type)).toContain('recurrent');

    const deleted = await rt.call('DELETE', `/users/${username}`, undefined, r.token);
    expect(deleted.status).toBe(204);
    const [gone] = await until('user.deleted', () => (events('/ok', 'user.deleted').length ? events('/ok', 'user.deleted') : undefined));
    expect((wh.verify(gone!.body, gone!.headers as Record<string, string>) as { data: { username: string } }).data.username).toBe(username);

    // Each attempt is listed.
    const deliveries = await rt.call('GET', `/webhooks/${created.body.id}/deliveries`, undefined, r.token);
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.items.filter((a: { outcome: string }) => a.outcome === 'succeeded').length).toBeGreaterThanOrEqual(4);
    expect(deliveries.body.items[0]).toMatchObject({ statusCode: 204, error: null, attempt: 1, outcome: 'succeeded' });
  }, 120_000);

  it('a receiver that fails gets the event again later; deliveries show both attempts; a replay sends it once more', async () => {
    const r = await rt.reseller('hooks2', { users: 20 });
    const created = await rt.call('POST', '/webhooks', { url: `${base}/fail`, events: ['user.created'] }, r.token);
    expect(created.status).toBe(201);
    const wh = new Webhook(created.body.secret);
    const user = await rt.call('POST', '/users', { limits: { storageMb: 10 }, personal: { firstName: 'F', lastName: 'L', email: 'f@example.com' } }, r.token);
    expect(user.status).toBe(201);

    const two = await until('a second attempt', () => (events('/fail', 'user.created').length >= 2 ? events('/fail', 'user.created') : undefined));
    expect(two.map((x) => x.answered)).toEqual([500, 204]);
    expect(two[0]!.headers['webhook-id']).toBe(two[1]!.headers['webhook-id']);
    for (const x of two) wh.verify(x.body, x.headers as Record<string, string>);

    const id = created.body.id as string;
    const attempts = await until('both attempts listed', async () => {
      const res = await rt.call('GET', `/webhooks/${id}/deliveries`, undefined, r.token);
      return res.body.items.length >= 2 ? res.body.items : undefined;
    });
    expect(attempts.map((a: any) => [a.attempt, a.statusCode, a.outcome])).toEqual([
      [2, 204, 'succeeded'],
      [1, 500, 'retrying'],
    ]);
    expect(attempts[1]).toMatchObject({ type: 'user.created', error: 'HTTP 500', deliveryId: two[0]!.headers['webhook-id'] });
    expect(attempts[0].durationMs).toEqual(expect.any(Number));

    // Paged: one at a time, the cursor leads on.
    const first = await rt.call('GET', `/webhooks/${id}/deliveries?limit=1`, undefined, r.token);
    expect(first.body.items).toHaveLength(1);
    const next = await rt.call('GET', `/webhooks/${id}/deliveries?limit=1&cursor=${first.body.nextCursor}`, undefined, r.token);
    expect(next.body.items[0].attempt).toBe(1);

    const replay = await rt.call('POST', `/webhooks/${id}/deliveries/${attempts[0].deliveryId}/replay`, undefined, r.token);
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ deliveryId: attempts[0].deliveryId, status: 'pending', attempt: 3 });
    const three = await until('the replay', () => (events('/fail', 'user.created').length >= 3 ? events('/fail', 'user.created') : undefined));
    expect(three[2]!.headers['webhook-id']).toBe(two[0]!.headers['webhook-id']);
    wh.verify(three[2]!.body, three[2]!.headers as Record<string, string>);
    const after = await until('the replay listed', async () => {
      const res = await rt.call('GET', `/webhooks/${id}/deliveries`, undefined, r.token);
      return res.body.items.length >= 3 ? res.body.items : undefined;
    });
    expect(after[0]).toMatchObject({ attempt: 3, statusCode: 204, outcome: 'succeeded' });
    // An unknown delivery of this endpoint is 404.
    expect((await rt.call('POST', `/webhooks/${id}/deliveries/evt_0000000000unknown/replay`, undefined, r.token)).status).toBe(404);
  }, 120_000);

  it('a receiver that never answers 2xx: every attempt of the schedule, then failed', async () => {
    const r = await rt.reseller('hooks3', { users: 20 });
    // A closed port: connection refused every time.
    const created = await rt.call('POST', '/webhooks', { url: 'http://127.0.0.1:9/never', events: ['user.created'] }, r.token);
    expect(created.status).toBe(201);
    await rt.call('POST', '/users', { limits: { storageMb: 10 }, personal: { firstName: 'N', lastName: 'A', email: 'n@example.com' } }, r.token);
    const attempts = await until('four attempts', async () => {
      const res = await rt.call('GET', `/webhooks/${created.body.id}/deliveries`, undefined, r.token);
      return res.body.items.length >= 4 ? res.body.items : undefined;
    });
    expect(attempts.map((a: any) => a.outcome)).toEqual(['failed', 'retrying', 'retrying', 'retrying']);
    expect(attempts[0]).toMatchObject({ attempt: 4, statusCode: null, error: expect.stringContaining('ECONNREFUSED') });
  }, 60_000);

  it('bad input is a 400 naming the field', async () => {
    const r = await rt.reseller('hooks4');
    const bad = async (body: unknown) => {
      const res = await rt.call('POST', '/webhooks', body, r.token);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION');
      return res.body.error.fields as Record<string, string>;
    };
    // http:// only to loopback, and only where loopback is allowed (the embedded runtime).
    expect((await bad({ url: 'http://shop.example.com/hook', events: ['user.created'] })).url).toMatch(/https/);
    expect((await bad({ url: 'ftp://shop.example.com/hook', events: ['user.created'] })).url).toMatch(/https/);
    expect((await bad({ url: 'https://10.1.2.3/hook', events: ['user.created'] })).url).toMatch(/private/);
    expect((await bad({ url: 'https://169.254.169.254/latest/meta-data', events: ['user.created'] })).url).toMatch(/private|link-local/);
    expect((await bad({ url: 'https://[fd00:ec2::254]/', events: ['user.created'] })).url).toMatch(/private/);
    expect((await bad({ url: 'https://[::ffff:192.168.1.1]/', events: ['user.created'] })).url).toMatch(/private/);
    expect((await bad({ url: 'https://user:pw@shop.example.com/', events: ['user.created'] })).url).toMatch(/password/);
    expect((await bad({ url: 'not a url', events: ['user.created'] })).url).toBeDefined();
    expect(Object.keys(await bad({ url: `${base}/x`, events: ['user.exploded'] }))[0]).toMatch(/^events/);
    expect((await bad({ url: `${base}/x`, events: [] })).events).toBeDefined();
    expect((await bad({ events: ['user.created'] })).url).toBeDefined();
    expect((await rt.call('GET', '/webhooks/not-an-id', undefined, r.token)).status).toBe(400);
  });

  it("another reseller's webhook is 404 on every route, and a delete stops it", async () => {
    const owner = await rt.reseller('hooks5');
    const other = await rt.reseller('hooks6');
    const created = await rt.call('POST', '/webhooks', { url: `${base}/tenancy`, events: ['user.created'] }, owner.token);
    const id = created.body.id as string;
    for (const [method, path] of [
      ['GET', `/webhooks/${id}`],
      ['GET', `/webhooks/${id}/deliveries`],
      ['POST', `/webhooks/${id}/deliveries/evt_000000000abcdef/replay`],
      ['DELETE', `/webhooks/${id}`],
    ] as const) {
      const res = await rt.call(method, path, undefined, other.token);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    expect((await rt.call('GET', '/webhooks', undefined, other.token)).body.items).toEqual([]);
    // The other reseller's users do not reach the owner's endpoint.
    await rt.call('POST', '/users', { limits: { storageMb: 10 }, personal: { firstName: 'O', lastName: 'T', email: 'o@example.com' } }, other.token);
    expect((await rt.call('GET', `/webhooks/${id}`, undefined, owner.token)).status).toBe(200);
    expect((await rt.call('DELETE', `/webhooks/${id}`, undefined, owner.token)).status).toBe(204);
    expect((await rt.call('GET', `/webhooks/${id}`, undefined, owner.token)).status).toBe(404);
    await rt.call('POST', '/users', { limits: { storageMb: 10 }, personal: { firstName: 'A', lastName: 'D', email: 'a@example.com' } }, owner.token);
    await new Promise((r) => setTimeout(r, 1500));
    expect(received.filter((x) => x.path === '/tenancy')).toEqual([]);
  }, 60_000);
});

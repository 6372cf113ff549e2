import { describe, expect, it } from 'vitest';
import { api, login, newReseller, operator, uniqueName } from '../support/api';

const body = (over: Record<string, unknown> = {}) => {
  const username = uniqueName();
  return { username, password: 'long-enough-password', email: `${username}@example.com`, limits: { users: 5 }, ...over };
};

/** Every reseller's id, username and e-mail (other test files create resellers meanwhile). */
async function resellers(): Promise<{ id: string; username: string; email: string }[]> {
  const token = await operator();
  const out: { id: string; username: string; email: string }[] = [];
  let cursor: string | null = null;
  do {
    const res: any = await api('GET', `/operator/resellers?limit=100${cursor ? `&cursor=${cursor}` : ''}`, { token });
    out.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return out;
}

describe('operator: resellers', () => {
  it('creates a reseller that can sign in, and refuses a taken username with 409', async () => {
    const token = await operator();
    const b = body({ hardLimits: { users: 8 } });
    const res = await api('POST', '/operator/resellers', { token, body: b });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.stringMatching(/^r[a-f0-9]{20}$/), username: b.username });
    const again = await api('POST', '/operator/resellers', { token, body: b });
    expect(again.status).toBe(409);
    expect(again.body.error.fields).toEqual({ username: 'is taken' });
    const rt = await login(b.username, b.password);
    const account = await api('GET', '/account', { token: rt });
    expect(account.body.resources.users).toEqual({ used: 0, max: 5, hard: 8, exceeded: false });
  });

  it('views, lists with a cursor, and changes limits merged per resource', async () => {
    const token = await operator();
    const r = await newReseller({ limits: { users: 3, storageMb: 100 } });
    const view = await api('GET', `/operator/resellers/${r.id}`, { token });
    expect(view.status).toBe(200);
    expect(view.body.username).toBe(r.username);
    expect(view.body.limits).toEqual({ users: 3, storageMb: 100 });

    const patched = await api('PATCH', `/operator/resellers/${r.id}`, {
      token,
      body: { limits: { storageMb: 200 }, hardLimits: { storageMb: 300 }, features: { services: ['ftp', 'php'] } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.limits).toEqual({ users: 3, storageMb: 200 });
    expect(patched.body.hardLimits).toEqual({ storageMb: 300 });
    expect(patched.body.features.services).toEqual(['ftp', 'php']);

    const page1 = await api('GET', '/operator/resellers?limit=1', { token });
    expect(page1.body.items).toHaveLength(1);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await api('GET', `/operator/resellers?limit=1&cursor=${page1.body.nextCursor}`, { token });
    expect(page2.body.items[0].id).not.toBe(page1.body.items[0].id);
    expect(page2.body.items[0].username > page1.body.items[0].username).toBe(true);
  });

  it('locks a reseller (sign-in refused, data kept) and unlocks it', async () => {
    const token = await operator();
    const r = await newReseller();
    const locked = await api('POST', `/operator/resellers/${r.id}/lock`, { token });
    expect(locked.status).toBe(200);
    expect(locked.body.status).toBe('locked');
    await expect(login(r.username, r.password)).rejects.toThrow(/401/);
    expect((await api('POST', `/operator/resellers/${r.id}/lock`, { token })).status).toBe(409);
    const unlocked = await api('POST', `/operator/resellers/${r.id}/unlock`, { token });
    expect(unlocked.body.status).toBe('active');
    await login(r.username, r.password);
  });

  it('answers 404 for a reseller that does not exist', async () => {
    const token = await operator();
    expect((await api('GET', '/operator/resellers/r00000000000000000000', { token })).status).toBe(404);
    expect((await api('PATCH', '/operator/resellers/r00000000000000000000', { token, body: { email: 'a@b.co' } })).status).toBe(404);
  });

  describe('bad input names the field and writes nothing', () => {
    const cases: [string, unknown, string][] = [
      ['unknown top-level field', body({ color: 'red' }), 'color'],
      ['unknown limit', body({ limits: { users: 1, bananas: 3 } }), 'limits.bananas'],
      ['non-integer limit', body({ limits: { users: 1.5 } }), 'limits.users'],
      ['negative limit other than -1', body({ limits: { storageMb: -2 } }), 'limits.storageMb'],
      ['string limit', body({ limits: { storageMb: '10' } }), 'limits.storageMb'],
      ['traffic hard limit', body({ hardLimits: { trafficGb: 10 } }), 'hardLimits.trafficGb'],
      ['hard limit below maximum', body({ limits: { users: 10 }, hardLimits: { users: 5 } }), 'hardLimits.users'],
      ['weak password', body({ password: 'short' }), 'password'],
      ['bad e-mail', body({ email: 'not-mail' }), 'email'],
      ['bad username', body({ username: 'Web 1' }), 'username'],
      ['reserved username', body({ username: 'web12' }), 'username'],
      ['unknown service in features', body({ features: { services: ['teleport'] } }), 'features.services.0'],
      ['wrong type for limits', body({ limits: [1, 2] }), 'limits'],
    ];
    it.each(cases)('%s', async (_name, payload, field) => {
      const token = await operator();
      const before = new Set((await resellers()).map((r) => r.id));
      const res = await api('POST', '/operator/resellers', { token, body: payload });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION');
      expect(Object.keys(res.body.error.fields)).toContain(field);
      // Resellers that appeared meanwhile are other test files' (a name of their own), never this one.
      const { username: name, email } = payload as { username: string; email: string };
      const added = (await resellers()).filter((r) => !before.has(r.id));
      expect(added.filter((r) => r.username.toLowerCase() === name.toLowerCase() || r.email === email)).toEqual([]);
      expect((await api('POST', '/auth/login', { body: { username: name, password: 'long-enough-password' } })).status).toBe(401);
    });

    it('a malformed JSON body', async () => {
      const res = await api('POST', '/operator/resellers', {
        token: await operator(),
        rawBody: '{"username": "abc", ',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.fields).toEqual({ body: 'is not valid JSON' });
    });

    it('a bad page size or a foreign cursor', async () => {
      const token = await operator();
      const big = await api('GET', '/operator/resellers?limit=1000', { token });
      expect(big.status).toBe(400);
      expect(big.body.error.fields).toHaveProperty('limit');
      const foreign = Buffer.from(JSON.stringify({ GSI1PK: 'R#someone#MSG#error', PK: 'x', SK: 'y', GSI1SK: 'z' })).toString('base64url');
      const res = await api('GET', `/operator/resellers?cursor=${foreign}`, { token });
      expect(res.status).toBe(400);
      expect(res.body.error.fields).toHaveProperty('cursor');
    });

    it('a PATCH that would break the hard-limit rules changes nothing', async () => {
      const token = await operator();
      const r = await newReseller({ limits: { users: 3 }, hardLimits: { users: 5 } });
      const res = await api('PATCH', `/operator/resellers/${r.id}`, { token, body: { limits: { users: 10 } } });
      expect(res.status).toBe(400);
      expect(res.body.error.fields).toHaveProperty('hardLimits.users');
      expect((await api('GET', `/operator/resellers/${r.id}`, { token })).body.limits).toEqual({ users: 3 });
    });
  });
});

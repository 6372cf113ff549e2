import { domainToASCII } from 'node:url';
import { fullLimits } from '../../shared/domain/controlpanel/services';
import { describe, expect, it } from 'vitest';
import { api, giveIps, newReseller, newUser, randomIp } from '../support/api';

const personal = { firstName: 'Jane', lastName: 'Doe', email: 'jane@example.com' };

async function account(token: string) {
  return (await api('GET', '/account', { token })).body.resources;
}

describe('create user', () => {
  it('creates web<N> users with a generated password returned once, counters moved, a notice written', async () => {
    const r = await newReseller({ limits: { users: 5, storageMb: 1000, trafficGb: -1 } });
    const res = await api('POST', '/users', {
      token: r.token,
      body: { limits: { storageMb: 100, pop3Boxes: 3 }, services: { ftp: true, shell: true }, personal, domains: [{ name: `Bücher-${r.username}.de`, dns: true }] },
    });
    expect(res.status).toBe(201);
    expect(res.body.username).toMatch(/^web[0-9]+$/);
    expect(res.body.password).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(res.body.passwordHash).toBeUndefined();
    expect(res.body.domains).toEqual([{ name: domainToASCII(`bücher-${r.username}.de`), dns: true, dnr: false }]);
    expect(res.body.domains[0].name).toMatch(/^xn--/);
    expect(res.body.warnings.join(' ')).toMatch(/shell.*security risk/);
    expect(res.body.limits.mysqlDatabases).toBe(0);
    const acc = await account(r.token);
    expect(acc.users.used).toBe(1);
    expect(acc.storageMb.used).toBe(100);
    expect(acc.pop3Boxes.used).toBe(3);
    const second = await newUser(r);
    expect(Number(second.username.slice(3))).toBeGreaterThan(Number(res.body.username.slice(3)));
    const view = await api('GET', `/users/${res.body.username}`, { token: r.token });
    expect(view.status).toBe(200);
    expect(view.body.password).toBeUndefined();
    const msgs = await api('GET', '/account/messages?type=notice', { token: r.token });
    expect(msgs.body.items.map((m: any) => m.text)).toContain(`user ${res.body.username} created`);
  });

  it('a given password is checked against the policy and not echoed', async () => {
    const r = await newReseller();
    const short = await api('POST', '/users', { token: r.token, body: { personal, password: 'short' } });
    expect(short.status).toBe(400);
    expect(short.body.error.fields).toHaveProperty('password');
    const ok = await api('POST', '/users', { token: r.token, body: { personal, password: 'a-long-enough-password' } });
    expect(ok.status).toBe(201);
    expect(ok.body.password).toBeUndefined();
  });

  it('takes the template and lets the request override it; later template changes do not touch the user', async () => {
    const r = await newReseller();
    const t = await api('POST', '/templates', { token: r.token, body: { name: 'basic', limits: { storageMb: 50, ftpUsers: 2 }, services: { ftp: true, php: true } } });
    expect(t.status).toBe(201);
    const u = await newUser(r, { template: t.body.id, limits: { storageMb: 70 }, services: { php: false } });
    expect(u.limits.storageMb).toBe(70);
    expect(u.limits.ftpUsers).toBe(2);
    expect(u.services.ftp).toBe(true);
    expect(u.services.php).toBe(false);
    expect(u.templateName).toBe('basic');
    expect((await api('PUT', `/templates/${t.body.id}`, { token: r.token, body: { name: 'basic2', limits: fullLimits({ storageMb: 5 }) } })).status).toBe(200);
    await api('DELETE', `/templates/${t.body.id}`, { token: r.token });
    const after = await api('GET', `/users/${u.username}`, { token: r.token });
    expect(after.body.limits.storageMb).toBe(70);
    expect(after.body.limits.ftpUsers).toBe(2);
    const missing = await api('POST', '/users', { token: r.token, body: { personal, template: t.body.id } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.fields).toHaveProperty('template');
  });

  it('dryRun validates and reports the maximums it would exceed, writing nothing', async () => {
    const r = await newReseller({ limits: { users: 5, storageMb: 100, trafficGb: -1 } });
    const before = await account(r.token);
    const res = await api('POST', '/users?dryRun=true', { token: r.token, body: { personal, limits: { storageMb: 150 } } });
    expect(res.status).toBe(200);
    expect(res.body.dryRun).toBe(true);
    expect(res.body.wouldCreate.limits.storageMb).toBe(150);
    expect(res.body.exceeded).toEqual([{ field: 'storageMb', used: 150, max: 100 }]);
    expect(await account(r.token)).toEqual(before);
    expect((await api('GET', '/users', { token: r.token })).body.items).toEqual([]);
  });

  it('going over a soft maximum is allowed, shows exceeded on /account and writes a notice', async () => {
    const r = await newReseller({ limits: { users: 1, storageMb: 1000, trafficGb: -1 } });
    await newUser(r);
    const second = await newUser(r);
    expect(second.exceeded).toEqual([{ field: 'users', used: 2, max: 1 }]);
    const acc = await account(r.token);
    expect(acc.users).toEqual({ used: 2, max: 1, hard: -1, exceeded: true });
    const msgs = await api('GET', '/account/messages?type=notice', { token: r.token });
    expect(msgs.body.items.some((m: any) => /maximum exceeded/.test(m.text))).toBe(true);
  });

  it('refuses bad input naming the field and writes nothing', async () => {
    const r = await newReseller({ limits: { users: 5, storageMb: 100, trafficGb: -1 }, features: { services: ['ftp', 'php'], resources: ['storageMb', 'ftpUsers', 'trafficGb'] } });
    const cases: [unknown, string][] = [
      [{ personal, limits: { storageMb: 1.5 } }, 'limits.storageMb'],
      [{ personal, limits: { storageMb: -2 } }, 'limits.storageMb'],
      [{ personal, limits: { storageMb: '10' } }, 'limits.storageMb'],
      [{ personal, limits: { storageMb: -1 } }, 'limits.storageMb'],
      [{ personal, limits: { diskSpace: 1 } }, 'limits.diskSpace'],
      [{ personal, services: { teleport: true } }, 'services.teleport'],
      [{ personal, services: { shell: true } }, 'services.shell'],
      [{ personal, limits: { pop3Boxes: 2 } }, 'limits.pop3Boxes'],
      [{ personal, limits: { ftpUsers: 2 } }, 'limits.ftpUsers'],
      [{ personal, domains: [{ name: 'not a domain' }] }, 'domains[0].name'],
      [{ personal, domains: [{ name: 'a..b.com' }] }, 'domains[0].name'],
      [{ personal, domains: [{ name: '-bad.com' }] }, 'domains[0].name'],
      [{ personal, domains: [{ name: 'localhost' }] }, 'domains[0].name'],
      [{ personal: { ...personal, firstName: '' } }, 'personal.firstName'],
      [{ personal: { ...personal, email: 'nope' } }, 'personal.email'],
      [{ personal: { firstName: 'A', lastName: 'B' } }, 'personal.email'],
      [{ personal, mysqlExternalAccess: true, limits: {} }, 'mysqlExternalAccess'],
    ];
    for (const [body, field] of cases) {
      const res = await api('POST', '/users', { token: r.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.fields, JSON.stringify(body)).toHaveProperty([field]);
    }
    const acc = await account(r.token);
    expect(acc.users.used).toBe(0);
    expect(acc.storageMb.used).toBe(0);
  });

  it('-1 is possible only where the reseller is unlimited; a value over the hard limit is 409 HARD_LIMIT', async () => {
    const r = await newReseller({ limits: { users: 5, storageMb: 100, trafficGb: -1 }, hardLimits: { storageMb: 150 } });
    const unl = await api('POST', '/users', { token: r.token, body: { personal, limits: { trafficGb: -1 } } });
    expect(unl.status).toBe(201);
    const over = await api('POST', '/users', { token: r.token, body: { personal, limits: { storageMb: 151 } } });
    expect(over.status).toBe(400);
    expect(over.body.error.fields).toHaveProperty(['limits.storageMb']);
    await newUser(r, { limits: { storageMb: 100 } });
    const hard = await api('POST', '/users', { token: r.token, body: { personal, limits: { storageMb: 60 } } });
    expect(hard.status).toBe(409);
    expect(hard.body.error.code).toBe('HARD_LIMIT');
    expect(hard.body.error.fields).toHaveProperty(['limits.storageMb']);
    const errors = await api('GET', '/account/messages?type=error', { token: r.token });
    expect(errors.body.items.length).toBeGreaterThan(0);
  });

  it('a domain belongs to one user across the installation', async () => {
    const a = await newReseller();
    const b = await newReseller();
    const name = `${a.username}-shared.example.org`;
    await newUser(a, { domains: [{ name }] });
    const again = await api('POST', '/users', { token: b.token, body: { personal, domains: [{ name: name.toUpperCase() }] } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('DOMAIN_TAKEN');
    expect(again.body.error.fields).toHaveProperty(['domains[0].name']);
    expect((await account(b.token)).users.used).toBe(0);
  });
});

describe('limits that hold under concurrency', () => {
  it('25 concurrent creates with 3 free slots under a hard limit: exactly 3 created, 22 HARD_LIMIT, counters exact', async () => {
    const r = await newReseller({ limits: { users: 5, storageMb: 10000, trafficGb: -1 }, hardLimits: { users: 5 } });
    await newUser(r);
    await newUser(r);
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        api('POST', '/users', { token: r.token, body: { personal, limits: { storageMb: 10 }, domains: [{ name: `${r.username}-${i}.example.net` }] } }),
      ),
    );
    const statuses = results.map((x) => x.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    const refused = results.filter((x) => x.status === 409);
    expect(refused).toHaveLength(22);
    for (const x of refused) {
      expect(x.body.error.code).toBe('HARD_LIMIT');
      expect(x.body.error.fields).toHaveProperty('users');
    }
    const list = await api('GET', '/users?limit=100', { token: r.token });
    expect(list.body.items).toHaveLength(5);
    const acc = await account(r.token);
    expect(acc.users.used).toBe(5);
    expect(acc.storageMb.used).toBe(50);
  });

  it('concurrent changes cannot pass a resource hard limit either', async () => {
    const r = await newReseller({ limits: { users: 50, storageMb: 100, trafficGb: -1 }, hardLimits: { storageMb: 100 } });
    const users = await Promise.all([1, 2, 3, 4].map(() => newUser(r, { limits: { storageMb: 1 } })));
    const results = await Promise.all(
      users.map((u) => api('PATCH', `/users/${u.username}`, { token: r.token, body: { limits: { storageMb: 40 } } })),
    );
    expect(results.filter((x) => x.status === 200)).toHaveLength(2);
    expect(results.filter((x) => x.status === 409 && x.body.error.code === 'HARD_LIMIT')).toHaveLength(2);
    const acc = await account(r.token);
    expect(acc.storageMb.used).toBe(82);
  });
});

describe('delete user', () => {
  it('gives the allocation, the domains and the IP back', async () => {
    const r = await newReseller({ limits: { users: 5, storageMb: 1000, trafficGb: -1 } });
    const ip = randomIp();
    await giveIps(r.id, [ip]);
    const name = `${r.username}-del.example.com`;
    const u = await newUser(r, { limits: { storageMb: 300 }, domains: [{ name }], ip });
    expect((await account(r.token)).storageMb.used).toBe(300);
    const del = await api('DELETE', `/users/${u.username}`, { token: r.token });
    expect(del.status).toBe(204);
    expect((await api('GET', `/users/${u.username}`, { token: r.token })).status).toBe(404);
    const acc = await account(r.token);
    expect(acc.users.used).toBe(0);
    expect(acc.storageMb.used).toBe(0);
    const ips = await api('GET', '/ips', { token: r.token });
    expect(ips.body.items).toEqual([{ ip, assignedTo: null }]);
    const again = await newUser(r, { domains: [{ name }], ip });
    expect(again.username).not.toBe(u.username);
    expect((await api('DELETE', `/users/${u.username}`, { token: r.token })).status).toBe(404);
  });
});

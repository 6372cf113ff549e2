import { describe, expect, it } from 'vitest';
import { api, giveIps, newReseller, newUser, randomIp } from '../support/api';

const account = async (token: string) => (await api('GET', '/account', { token })).body.resources;

describe('change user', () => {
  it('changes personal data (required fields stay required) and services; each change is in the message log', async () => {
    const r = await newReseller();
    const u = await newUser(r);
    const res = await api('PATCH', `/users/${u.username}`, {
      token: r.token,
      body: { personal: { city: 'Berlin', showOnHomePage: ['firstName', 'city'], free2: 'gold' }, services: { webalizer: true } },
    });
    expect(res.status).toBe(200);
    expect(res.body.personal).toMatchObject({ firstName: 'Test', city: 'Berlin', showOnHomePage: ['firstName', 'city'], free2: 'gold' });
    expect(res.body.services).toMatchObject({ webalizer: true, ftp: true });
    const empty = await api('PATCH', `/users/${u.username}`, { token: r.token, body: { personal: { lastName: '' } } });
    expect(empty.status).toBe(400);
    expect(empty.body.error.fields).toHaveProperty(['personal.lastName']);
    const msgs = await api('GET', '/account/messages?type=notice', { token: r.token });
    expect(msgs.body.items[0].text).toMatch(new RegExp(`user ${u.username} changed: personal data, services`));
    const labels = await api('PUT', '/personal-fields', { token: r.token, body: { free1: 'Customer no.', free2: 'Level' } });
    expect(labels.body.labels).toEqual({ free1: 'Customer no.', free2: 'Level' });
    expect((await api('GET', '/personal-fields', { token: r.token })).body.labels.free2).toBe('Level');
  });

  it('FrontPage only while errorFiles and passwordProtection are off, and vice versa', async () => {
    const r = await newReseller();
    const u = await newUser(r, { services: { errorFiles: true } });
    const fp = await api('PATCH', `/users/${u.username}`, { token: r.token, body: { frontPage: true } });
    expect(fp.status).toBe(400);
    expect(fp.body.error.fields).toHaveProperty('frontPage');
    const ok = await api('PATCH', `/users/${u.username}`, { token: r.token, body: { frontPage: true, services: { errorFiles: false } } });
    expect(ok.status).toBe(200);
    expect(ok.body.frontPage).toBe(true);
    const pp = await api('PATCH', `/users/${u.username}`, { token: r.token, body: { services: { passwordProtection: true } } });
    expect(pp.status).toBe(400);
    expect(pp.body.error.fields).toHaveProperty(['services.passwordProtection']);
  });

  it('additional FTP users need ftp; MySQL external access only where the operator allowed it', async () => {
    const r = await newReseller();
    const u = await newUser(r, { limits: { ftpUsers: 2, mysqlDatabases: 1 } });
    const off = await api('PATCH', `/users/${u.username}`, { token: r.token, body: { services: { ftp: false } } });
    expect(off.status).toBe(400);
    expect(off.body.error.fields).toHaveProperty(['limits.ftpUsers']);
    const ext = await api('PATCH', `/users/${u.username}`, { token: r.token, body: { mysqlExternalAccess: true } });
    expect(ext.status).toBe(400);
    expect(ext.body.error.fields).toHaveProperty('mysqlExternalAccess');
    const r2 = await newReseller({ features: { mysqlExternalAccess: true } });
    const u2 = await newUser(r2, { limits: { mysqlDatabases: 1 } });
    const ok = await api('PATCH', `/users/${u2.username}`, { token: r2.token, body: { mysqlExternalAccess: true } });
    expect(ok.status).toBe(200);
    expect(ok.body.mysqlExternalAccess).toBe(true);
  });

  it('changing limits moves the counters by the difference', async () => {
    const r = await newReseller({ limits: { users: 5, storageMb: 1000, trafficGb: -1 } });
    const u = await newUser(r, { limits: { storageMb: 100, pop3Boxes: 2 } });
    const res = await api('PATCH', `/users/${u.username}`, { token: r.token, body: { limits: { storageMb: 40, pop3Boxes: 5 } } });
    expect(res.status).toBe(200);
    const acc = await account(r.token);
    expect(acc.storageMb.used).toBe(40);
    expect(acc.pop3Boxes.used).toBe(5);
  });

  it('applies a template: its limits and services replace the user\'s, counters follow', async () => {
    const r = await newReseller({ limits: { users: 5, storageMb: 1000, trafficGb: -1 } });
    const t = await api('POST', '/templates', { token: r.token, body: { name: 'gold', limits: { storageMb: 500, emailAddresses: 50 }, services: { php: true, webmail: true } } });
    const u = await newUser(r, { limits: { storageMb: 10 } });
    const res = await api('POST', `/users/${u.username}/apply-template`, { token: r.token, body: { templateId: t.body.id } });
    expect(res.status).toBe(200);
    expect(res.body.limits).toMatchObject({ storageMb: 500, emailAddresses: 50 });
    expect(res.body.services).toMatchObject({ php: true, webmail: true, ftp: false });
    expect(res.body.templateName).toBe('gold');
    expect((await account(r.token)).storageMb.used).toBe(500);
    const missing = await api('POST', `/users/${u.username}/apply-template`, { token: r.token, body: { templateId: 't0123456789abcdef0123' } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.fields).toHaveProperty('templateId');
  });

  it('adds and removes domains, switches DNS/DNR, IDN as punycode', async () => {
    const r = await newReseller();
    const base = `${r.username}.example.com`;
    const u = await newUser(r, { domains: [{ name: base }] });
    const res = await api('PATCH', `/users/${u.username}`, {
      token: r.token,
      body: { domains: { add: [{ name: `münchen-${r.username}.de`, dns: true }], update: [{ name: base, dns: true, dnr: true }] } },
    });
    expect(res.status).toBe(200);
    expect(res.body.domains).toEqual([
      { name: base, dns: true, dnr: true },
      { name: expect.stringMatching(/^xn--/), dns: true, dnr: false },
    ]);
    const byDomain = await api('GET', `/users?domain=${encodeURIComponent(`münchen-${r.username}.de`)}`, { token: r.token });
    expect(byDomain.body.items.map((i: any) => i.username)).toEqual([u.username]);
    const rm = await api('PATCH', `/users/${u.username}`, { token: r.token, body: { domains: { remove: [base] } } });
    expect(rm.body.domains).toHaveLength(1);
    const badRm = await api('PATCH', `/users/${u.username}`, { token: r.token, body: { domains: { remove: ['nothere.example.com'] } } });
    expect(badRm.status).toBe(400);
    expect(badRm.body.error.fields).toHaveProperty(['domains.remove[0]']);
    const other = await newUser(r, { domains: [{ name: base }] });
    expect(other.domains[0].name).toBe(base);
  });

  it('assigns an exclusive IP from the pool only, and gives it back', async () => {
    const r = await newReseller();
    const [ip1, ip2] = [randomIp(), randomIp()];
    await giveIps(r.id, [ip1 as string]);
    const u = await newUser(r);
    const notMine = await api('PATCH', `/users/${u.username}`, { token: r.token, body: { ip: ip2 } });
    expect(notMine.status).toBe(409);
    expect(notMine.body.error.fields).toHaveProperty('ip');
    const ok = await api('PATCH', `/users/${u.username}`, { token: r.token, body: { ip: ip1 } });
    expect(ok.status).toBe(200);
    expect(ok.body.ip).toBe(ip1);
    const v = await newUser(r);
    const taken = await api('PATCH', `/users/${v.username}`, { token: r.token, body: { ip: ip1 } });
    expect(taken.status).toBe(409);
    const back = await api('PATCH', `/users/${u.username}`, { token: r.token, body: { ip: null } });
    expect(back.body.ip).toBeNull();
    expect((await api('GET', '/ips', { token: r.token })).body.items).toEqual([{ ip: ip1, assignedTo: null }]);
  });

  it('locks and unlocks keeping the data; sets a password', async () => {
    const r = await newReseller();
    const u = await newUser(r, { limits: { storageMb: 33 } });
    const lock = await api('POST', `/users/${u.username}/lock`, { token: r.token });
    expect(lock.status).toBe(200);
    expect(lock.body.status).toBe('locked');
    expect(lock.body.limits.storageMb).toBe(33);
    expect((await api('POST', `/users/${u.username}/lock`, { token: r.token })).status).toBe(409);
    const locked = await api('GET', '/users?status=locked', { token: r.token });
    expect(locked.body.items.map((i: any) => i.username)).toEqual([u.username]);
    expect((await api('GET', '/users?status=enabled', { token: r.token })).body.items).toEqual([]);
    const unlock = await api('POST', `/users/${u.username}/unlock`, { token: r.token });
    expect(unlock.body.status).toBe('enabled');
    const gen = await api('POST', `/users/${u.username}/password`, { token: r.token, body: {} });
    expect(gen.status).toBe(200);
    expect(gen.body.password).toMatch(/^[A-Za-z0-9]{20}$/);
    const given = await api('POST', `/users/${u.username}/password`, { token: r.token, body: { password: 'short' } });
    expect(given.status).toBe(400);
    expect(given.body.error.fields).toHaveProperty('password');
  });
});

describe('users list', () => {
  it('pages with a cursor and searches by username prefix', async () => {
    const r = await newReseller();
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await newUser(r)).username);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await api('GET', `/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: r.token });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((i: any) => i.username));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...made].sort());
    const one = made[0] as string;
    const search = await api('GET', `/users?search=${one}`, { token: r.token });
    expect(search.body.items.map((i: any) => i.username)).toContain(one);
    expect(search.body.items.every((i: any) => i.username.startsWith(one))).toBe(true);
    const bad = await api('GET', '/users?status=gone', { token: r.token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toHaveProperty('status');
    const other = await newReseller();
    const foreign = await api('GET', `/users?cursor=${(await api('GET', '/users?limit=1', { token: r.token })).body.nextCursor}`, { token: other.token });
    expect(foreign.status).toBe(400);
  });
});

describe('operator IP pool', () => {
  it('gives, lists and takes back addresses; one address belongs to one reseller', async () => {
    const r = await newReseller();
    const r2 = await newReseller();
    const ip = randomIp();
    await giveIps(r.id, [ip]);
    const { operator } = await import('../support/api');
    const token = await operator();
    const list = await api('GET', `/operator/resellers/${r.id}/ips`, { token });
    expect(list.body.items).toEqual([{ ip, assignedTo: null }]);
    const dup = await api('POST', `/operator/resellers/${r2.id}/ips`, { token, body: { ips: [ip] } });
    expect(dup.status).toBe(409);
    expect(dup.body.error.fields).toHaveProperty(['ips[0]']);
    const badIp = await api('POST', `/operator/resellers/${r2.id}/ips`, { token, body: { ips: ['300.1.1.1'] } });
    expect(badIp.status).toBe(400);
    const u = await newUser(r, { ip });
    const busy = await api('DELETE', `/operator/resellers/${r.id}/ips/${ip}`, { token });
    expect(busy.status).toBe(409);
    await api('DELETE', `/users/${u.username}`, { token: r.token });
    expect((await api('DELETE', `/operator/resellers/${r.id}/ips/${ip}`, { token })).status).toBe(204);
    expect((await api('POST', `/operator/resellers/${r2.id}/ips`, { token, body: { ips: [ip] } })).status).toBe(201);
  });
});

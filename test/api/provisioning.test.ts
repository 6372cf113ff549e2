import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { api, newReseller, newUser, operator, type TestReseller } from '../support/api';
import { localDocumentClient } from '../support/local-db';
import { keys } from '../../shared/adapters/dynamodb/keys';

const root = () => join(inject('dataDir'), 'servers', 'local-1', 'root');
const home = (u: string) => join(root(), 'var', 'www', u);
const db = localDocumentClient();

// Pushes to the shared local-1 queue behind every other file's users: under a loaded CI machine one
// took over 20 s to apply (seen twice, in the index-page test), so a wait allows 45 s.
async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 45_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function provisioning(owner: TestReseller, username: string) {
  const res = await api('GET', `/users/${username}`, { token: owner.token });
  expect(res.status).toBe(200);
  return res.body.provisioning as { status: string; sequence: number; lastError: string | null; attempts: number; updatedAt: string };
}

const applied = (owner: TestReseller, username: string, minSequence = 1) =>
  until(`${username} applied (sequence >= ${minSequence})`, async () => {
    const p = await provisioning(owner, username);
    return p.status === 'applied' && p.sequence >= minSequence ? p : undefined;
  });

describe('provisioning through the local server (the local agent runs provision.sh on local-1)', () => {
  it('a user created through the API appears under servers/local-1/root/var/www/<username>/, pending -> applied', async () => {
    const owner = await newReseller();
    const user = await newUser(owner, { services: { ftp: true, php: true, cgi: true } });
    expect(user.serverId).toBe('local-1');
    expect(user.provisioning.status).toBe('pending');
    const p = await applied(owner, user.username);
    expect(p.lastError).toBeNull();
    expect(existsSync(join(home(user.username), 'html'))).toBe(true);
    expect(existsSync(join(home(user.username), 'log'))).toBe(true);
    expect(existsSync(join(home(user.username), 'cgi-bin'))).toBe(true);
    expect(existsSync(join(root(), 'etc', 'reseller-panel', 'sites', `${user.username}.conf`))).toBe(true);
    // The list shows the status too.
    const list = await api('GET', `/users?search=${user.username}`, { token: owner.token });
    expect(list.body.items.find((u: { username: string }) => u.username === user.username).provisioning.status).toBe('applied');
  });

  it("the reseller's index page is written as html/index.html with ##user## replaced", async () => {
    const owner = await newReseller();
    const put = await api('PUT', '/settings/index-page', { token: owner.token, body: { html: '<h1>Welcome ##user##</h1>' } });
    expect(put.status).toBe(202);
    expect(put.body.push).toMatchObject({ id: expect.stringMatching(/^index-page-/), kind: 'index-page' });
    expect((await api('GET', '/settings/index-page', { token: owner.token })).body.html).toBe('<h1>Welcome ##user##</h1>');
    const user = await newUser(owner);
    await applied(owner, user.username);
    expect(readFileSync(join(home(user.username), 'html', 'index.html'), 'utf8')).toContain(`Welcome ${user.username}`);
  });

  it('an index page the desired state would refuse (a NUL byte) is refused by PUT /settings/index-page, naming html', async () => {
    const owner = await newReseller();
    const res = await api('PUT', '/settings/index-page', { token: owner.token, body: { html: '<h1>x\u0000y</h1>' } });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toHaveProperty('html');
    expect((await api('GET', '/settings/index-page', { token: owner.token })).body.html).toBeNull();
  });

  it("an index-page change reaches existing users whose page is still the panel's; a user's own page is kept", async () => {
    const owner = await newReseller();
    await api('PUT', '/settings/index-page', { token: owner.token, body: { html: '<h1>Welcom ##user##</h1>' } });
    const follower = await newUser(owner);
    const own = await newUser(owner);
    await applied(owner, follower.username);
    const ownApplied = await applied(owner, own.username);
    const page = (u: string) => join(home(u), 'html', 'index.html');
    expect(readFileSync(page(follower.username), 'utf8')).toBe(`<h1>Welcom ${follower.username}</h1>`);
    writeFileSync(page(own.username), 'my own page');

    const put = await api('PUT', '/settings/index-page', { token: owner.token, body: { html: '<h1>Welcome ##user##</h1>' } });
    expect(put.status).toBe(202);
    // The request only starts the run: its progress is read back, and it covers both users.
    const push = await until('the index-page run finished', async () => {
      const p = (await api('GET', '/settings/index-page', { token: owner.token })).body.push;
      return p?.id === put.body.push.id && p.status === 'finished' && p;
    });
    expect(push).toMatchObject({ planned: 2, done: 2, failed: 0 });
    await until('the fixed page on the server', async () => existsSync(page(follower.username)) &&
      readFileSync(page(follower.username), 'utf8') === `<h1>Welcome ${follower.username}</h1>`);
    await applied(owner, own.username, ownApplied.sequence + 1);
    expect(readFileSync(page(own.username), 'utf8')).toBe('my own page');
  }, 120_000);

  it('FrontPage on issues a login and password once (only its hash is kept) and reaches the server; off removes it', async () => {
    const owner = await newReseller();
    const created = await newUser(owner, { frontPage: true, domains: [{ name: `${owner.username}-fp.example.com` }] });
    const u = created.username as string;
    expect(created.frontPageCredentials).toEqual({ login: `${u}-fp`, password: expect.stringMatching(/^.{20,}$/) });
    const { password } = created.frontPageCredentials as { password: string };
    const htpasswd = join(root(), 'etc', 'reseller-panel', 'frontpage', `${u}.htpasswd`);
    const site = join(root(), 'etc', 'reseller-panel', 'sites', `${u}.conf`);
    await until('FrontPage on the server', async () => existsSync(htpasswd) && existsSync(site) && readFileSync(site, 'utf8').includes('_vti_bin'));
    const sha = createHash('sha1').update(password).digest('base64');
    expect(readFileSync(htpasswd, 'utf8')).toBe(`${u}-fp:{SHA}${sha}\n`);
    expect(readFileSync(site, 'utf8')).toContain(`AuthUserFile /etc/reseller-panel/frontpage/${u}.htpasswd`);
    // Shown once: reading the user shows the login, never the password or its hash.
    const view = await api('GET', `/users/${u}`, { token: owner.token });
    expect(view.body.frontPageLogin).toBe(`${u}-fp`);
    expect(JSON.stringify(view.body)).not.toContain(password);
    expect(JSON.stringify(view.body)).not.toContain(sha);
    // Repeating "on" issues nothing new; off removes it; on again issues new credentials.
    const again = await api('PATCH', `/users/${u}`, { token: owner.token, body: { frontPage: true } });
    expect(again.status).toBe(200);
    expect(again.body.frontPageCredentials).toBeUndefined();
    expect((await api('PATCH', `/users/${u}`, { token: owner.token, body: { frontPage: false } })).status).toBe(200);
    await until('FrontPage removed', async () => !existsSync(htpasswd));
    const on = await api('PATCH', `/users/${u}`, { token: owner.token, body: { frontPage: true } });
    expect(on.body.frontPageCredentials.password).not.toBe(password);
    await until('new FrontPage login on the server', async () => existsSync(htpasswd) &&
      readFileSync(htpasswd, 'utf8').includes(createHash('sha1').update(on.body.frontPageCredentials.password).digest('base64')));
  });

  it('MySQL external access reaches the server in the file its MySQL grant step reads', async () => {
    const owner = await newReseller({ features: { mysqlExternalAccess: true } });
    const user = await newUser(owner, { limits: { mysqlDatabases: 1 }, mysqlExternalAccess: true });
    const file = join(root(), 'etc', 'reseller-panel', 'mysql', `${user.username}.conf`);
    await until('MySQL access file', async () => existsSync(file) && readFileSync(file, 'utf8').includes('externalAccess=1'));
    expect((await api('PATCH', `/users/${user.username}`, { token: owner.token, body: { mysqlExternalAccess: false } })).status).toBe(200);
    await until('external access off', async () => readFileSync(file, 'utf8').includes('externalAccess=0'));
  });

  it('lock disables the site (files kept), unlock enables it, delete archives the home', async () => {
    const owner = await newReseller();
    const user = await newUser(owner, { domains: [{ name: `${owner.username}-lock.example.com` }] });
    const first = await applied(owner, user.username);
    const site = join(root(), 'etc', 'reseller-panel', 'sites', `${user.username}.conf`);

    expect((await api('POST', `/users/${user.username}/lock`, { token: owner.token })).status).toBe(200);
    await applied(owner, user.username, first.sequence + 1);
    expect(readFileSync(site, 'utf8')).toContain('/var/lib/reseller-panel/locked');
    expect(existsSync(join(home(user.username), 'html'))).toBe(true);

    expect((await api('POST', `/users/${user.username}/unlock`, { token: owner.token })).status).toBe(200);
    await applied(owner, user.username, first.sequence + 2);
    expect(readFileSync(site, 'utf8')).not.toContain('/var/lib/reseller-panel/locked');

    const statusItem = async () =>
      (await db.send(new GetCommand({ TableName: inject('tableName'), Key: keys.provisioning(owner.id, user.username), ConsistentRead: true }))).Item;
    expect(await statusItem()).toBeDefined();
    expect((await api('DELETE', `/users/${user.username}`, { token: owner.token })).status).toBe(204);
    await until('home archived', async () => !existsSync(home(user.username)));
    const archive = await until('archive', async () =>
      existsSync(join(root(), 'var', 'archive')) &&
      (await import('node:fs')).readdirSync(join(root(), 'var', 'archive')).find((f) => f.startsWith(`${user.username}-seq`)),
    );
    expect(archive).toMatch(/\.tar\.gz$/);
    // The archive is in place a moment before the same run removes the site.
    await until('site removed', async () => !existsSync(site));
    // The operator can no longer re-push it once the delete is on the server. Waited for by reading
    // the user's provisioning status item (the applied delete removes it): polling with the push
    // itself made a new sequence each time, which a busy worker never caught up with.
    await until('delete applied', async () => (await statusItem()) === undefined);
    expect((await api('POST', `/operator/users/${user.username}/push`, { token: await operator() })).status).toBe(404);
  });

  it('two quick changes: the latest state ends applied (never out of order, never lost)', async () => {
    const owner = await newReseller();
    const user = await newUser(owner, { services: { ftp: true, php: true } });
    await applied(owner, user.username);
    const a = await api('PATCH', `/users/${user.username}`, { token: owner.token, body: { services: { webalizer: true } } });
    const b = await api('PATCH', `/users/${user.username}`, { token: owner.token, body: { services: { cgi: true, webalizer: false } } });
    expect([a.status, b.status]).toEqual([200, 200]);
    const p = await applied(owner, user.username, 3);
    expect(p.sequence).toBe(3);
    expect(existsSync(join(home(user.username), 'cgi-bin'))).toBe(true);
    expect(existsSync(join(home(user.username), 'html', 'webalizer', '.htaccess'))).toBe(false);
    const state = readFileSync(join(root(), 'var', 'lib', 'reseller-panel', 'state', `${user.username}.state`), 'utf8');
    expect(state).toMatch(/sequence=3/);
  });

  it("a push that fails ends failed with the script's message (status and message log), then recovers on the next retry", async () => {
    const owner = await newReseller();
    const user = await newUser(owner, { services: { ftp: true, php: true } });
    await applied(owner, user.username);
    // The server cannot create cgi-bin: a regular file is in the way.
    const blocker = join(home(user.username), 'cgi-bin');
    writeFileSync(blocker, 'not a directory');
    expect((await api('PATCH', `/users/${user.username}`, { token: owner.token, body: { services: { cgi: true } } })).status).toBe(200);
    const failed = await until('failed', async () => {
      const p = await provisioning(owner, user.username);
      return p.status === 'failed' ? p : undefined;
    });
    expect(failed.lastError).toContain('directory could not be created');
    expect(failed.lastError).toContain(`/var/www/${user.username}/cgi-bin`);
    const log = await api('GET', '/account/messages?type=error', { token: owner.token });
    expect(log.body.items.some((m: { text: string }) => m.text.includes(user.username) && m.text.includes('directory could not be created'))).toBe(true);

    rmSync(blocker);
    const p = await applied(owner, user.username, failed.sequence);
    expect(p.lastError).toBeNull();
    expect(existsSync(blocker)).toBe(true);
  });

  it('the operator re-pushes one user and a whole server (new sequence, pending, then applied)', async () => {
    // A server of this test's own (the local agent serves any server id): a push of local-1 would
    // re-push every user of the shared runtime, under the feet of the other files' tests.
    const op = await operator();
    const serverId = `t-push-${Date.now().toString(36)}`;
    expect((await api('POST', '/operator/servers', { token: op, body: { id: serverId, name: 'Push test', addresses: ['192.0.2.10'], capacity: 10 } })).status).toBe(201);
    const owner = await newReseller();
    expect((await api('PUT', `/operator/resellers/${owner.id}/servers`, { token: op, body: { serverIds: [serverId] } })).status).toBe(200);
    const user = await newUser(owner);
    expect(user.serverId).toBe(serverId);
    const first = await applied(owner, user.username);
    const one = await api('POST', `/operator/users/${user.username}/push`, { token: await operator() });
    expect(one.status).toBe(202);
    const second = await applied(owner, user.username, first.sequence + 1);
    const all = await api('POST', `/operator/servers/${serverId}/push`, { token: await operator() });
    expect(all.status).toBe(202);
    expect(all.body.run).toMatchObject({ id: expect.stringMatching(/^server-push-/), kind: 'server-push', status: expect.any(String) });
    // The server's users are marked through the work queue: the run's progress says how far.
    const run = await until('the server-push run finished', async () => {
      const r = await api('GET', `/operator/runs/${all.body.run.id}`, { token: await operator() });
      return r.status === 200 && r.body.status === 'finished' && r.body;
    });
    expect(run).toMatchObject({ planned: 1, done: 1, failed: 0 });
    await applied(owner, user.username, second.sequence + 1);
    expect((await api('POST', '/operator/servers/no-such-server/push', { token: await operator() })).status).toBe(404);
    expect((await api('POST', '/operator/users/web999999999/push', { token: await operator() })).status).toBe(404);
  });
});

describe('servers (operator)', () => {
  it('registers, lists, views, changes servers and assigns resellers; new users go to an assigned server with room', async () => {
    const op = await operator();
    const id = `t-${Date.now().toString(36)}`;
    const created = await api('POST', '/operator/servers', { token: op, body: { id, name: 'Test', instanceId: 'mi-0123456789abcdef0', addresses: ['198.51.100.7'], capacity: 1 } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id, capacity: 1, users: 0, isDefault: false });
    expect((await api('POST', '/operator/servers', { token: op, body: { id, name: 'again' } })).status).toBe(409);
    const list = await api('GET', '/operator/servers', { token: op });
    expect(list.body.items.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining(['local-1', id]));
    expect(list.body.items.find((s: { id: string }) => s.id === 'local-1').isDefault).toBe(true);

    const owner = await newReseller();
    expect((await api('GET', `/operator/resellers/${owner.id}/servers`, { token: op })).body).toMatchObject({ rule: 'default', serverIds: ['local-1'] });
    const assign = await api('PUT', `/operator/resellers/${owner.id}/servers`, { token: op, body: { serverIds: [id, 'local-1'] } });
    expect(assign.status).toBe(200);
    expect((await api('PUT', `/operator/resellers/${owner.id}/servers`, { token: op, body: { serverIds: ['nope-1'] } })).status).toBe(404);
    const view = await api('GET', `/operator/servers/${id}`, { token: op });
    expect(view.body.resellers).toEqual([owner.id]);

    // Capacity 1: the first user goes to the test server, the second to local-1.
    const u1 = await newUser(owner);
    const u2 = await newUser(owner);
    expect([u1.serverId, u2.serverId]).toEqual([id, 'local-1']);
    expect((await api('GET', `/operator/servers/${id}`, { token: op })).body.users).toBe(1);
    const patched = await api('PATCH', `/operator/servers/${id}`, { token: op, body: { capacity: 5, name: 'Renamed' } });
    expect(patched.body).toMatchObject({ capacity: 5, name: 'Renamed', users: 1 });
    expect((await api('PATCH', '/operator/servers/nope-2', { token: op, body: { capacity: 5 } })).status).toBe(404);
  });
});

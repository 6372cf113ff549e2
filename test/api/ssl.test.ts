import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../shared/adapters/dynamodb/keys';
import { localDocumentClient } from '../support/local-db';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { NodeX509 } from '../../shared/adapters/crypto/node-x509';
import { api, giveIps, newReseller, newUser, operator, randomIp } from '../support/api';

async function pair(cn: string) {
  return new NodeX509().selfSigned({ country: 'DE', organization: 'CA Test', commonName: cn, days: 90 }, new Date());
}

async function userWithIp() {
  const r = await newReseller();
  const ip = randomIp();
  await giveIps(r.id, [ip]);
  const u = await newUser(r, { ip, services: { ssl: true }, domains: [{ name: `${r.username}.example.com` }] });
  return { r, u, ip };
}

describe('SSL', () => {
  it('stores a matching key and certificate, reports subject and expiry, never returns the key', async () => {
    const { r, u, ip } = await userWithIp();
    const p = await pair('shop.example.com');
    const res = await api('PUT', `/users/${u.username}/ssl`, { token: r.token, body: { privateKey: p.privateKeyPem, certificate: p.certificatePem } });
    expect(res.status).toBe(200);
    expect(res.body.subject).toMatch(/CN=shop\.example\.com/);
    expect(res.body.notAfter).toBe(p.summary.notAfter);
    expect(JSON.stringify(res.body)).not.toMatch(/PRIVATE KEY/);
    const got = await api('GET', `/users/${u.username}/ssl`, { token: r.token });
    expect(got.body.certificate).toMatch(/BEGIN CERTIFICATE/);
    expect(JSON.stringify(got.body)).not.toMatch(/PRIVATE KEY/);
    const list = await api('GET', '/ssl/users', { token: r.token });
    expect(list.body.items).toEqual([{ username: u.username, ip, ssl: expect.objectContaining({ subject: expect.stringMatching(/shop/) }), sslService: true }]);
    const view = await api('GET', `/users/${u.username}`, { token: r.token });
    expect(JSON.stringify(view.body)).not.toMatch(/PRIVATE KEY|encryptedKey/);
    // The local key file of the embedded runtime exists: keys are encrypted at rest.
    expect(readdirSync(join(inject('dataDir'), 'keys'))).toContain('private-keys.aes256');
    // The IP cannot go while the certificate needs it.
    const noIp = await api('PATCH', `/users/${u.username}`, { token: r.token, body: { ip: null } });
    expect(noIp.status).toBe(400);
    expect(noIp.body.error.fields).toHaveProperty('ip');
    expect((await api('DELETE', `/users/${u.username}/ssl`, { token: r.token })).status).toBe(204);
    expect((await api('GET', `/users/${u.username}/ssl`, { token: r.token })).status).toBe(404);
  });

  it('refuses a key that does not match, malformed PEM, and users without exclusive IP, writing nothing', async () => {
    const { r, u } = await userWithIp();
    const a = await pair('a.example.com');
    const b = await pair('b.example.com');
    const mismatch = await api('PUT', `/users/${u.username}/ssl`, { token: r.token, body: { privateKey: b.privateKeyPem, certificate: a.certificatePem } });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.fields).toEqual({ privateKey: 'does not match the certificate' });
    const badCert = await api('PUT', `/users/${u.username}/ssl`, { token: r.token, body: { privateKey: a.privateKeyPem, certificate: '-----BEGIN CERTIFICATE-----\nnotbase64\n-----END CERTIFICATE-----' } });
    expect(badCert.status).toBe(400);
    expect(badCert.body.error.fields).toHaveProperty('certificate');
    const badKey = await api('PUT', `/users/${u.username}/ssl`, { token: r.token, body: { privateKey: 'hello', certificate: a.certificatePem } });
    expect(badKey.status).toBe(400);
    expect(badKey.body.error.fields).toHaveProperty('privateKey');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const ecMismatch = await api('PUT', `/users/${u.username}/ssl`, { token: r.token, body: { privateKey: ec, certificate: a.certificatePem } });
    expect(ecMismatch.status).toBe(400);
    expect((await api('GET', `/users/${u.username}/ssl`, { token: r.token })).status).toBe(404);
    const plain = await newUser(r, { services: { ssl: true } });
    const noIp = await api('PUT', `/users/${plain.username}/ssl`, { token: r.token, body: { privateKey: a.privateKeyPem, certificate: a.certificatePem } });
    expect(noIp.status).toBe(409);
    expect(noIp.body.error.fields).toHaveProperty('ip');
  });

  it('creates a self-signed certificate from company details', async () => {
    const { r, u } = await userWithIp();
    const res = await api('POST', `/users/${u.username}/ssl/self-signed`, {
      token: r.token,
      body: { country: 'de', city: 'Köln', organization: 'Doe Ltd', email: 'ssl@doe.example', days: 30 },
    });
    expect(res.status).toBe(201);
    expect(res.body.selfSigned).toBe(true);
    expect(res.body.subject).toMatch(/O=Doe Ltd/);
    expect(res.body.subject).toMatch(new RegExp(`CN=${r.username}\\.example\\.com`));
    const days = (Date.parse(res.body.notAfter) - Date.parse(res.body.notBefore)) / 86_400_000;
    expect(Math.round(days)).toBe(30);
    const bad = await api('POST', `/users/${u.username}/ssl/self-signed`, { token: r.token, body: { country: 'Germany', organization: 'X' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toHaveProperty('country');
  });
});

describe('SSL reaches the server (local-1, the local agent)', () => {
  const root = () => join(inject('dataDir'), 'servers', 'local-1', 'root');
  // The script writes the key, the site and the state one after another: a probe reads a file that may not be there yet.
  const readNow = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');
  async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 25_000) {
    const end = Date.now() + timeoutMs;
    while (!(await probe())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('an uploaded certificate and its key (0600) are written on the server and the HTTPS block turns on; deleting removes them', async () => {
    const { r, u, ip } = await userWithIp();
    const p = await pair('shop.example.com');
    const crt = join(root(), 'etc/reseller-panel/ssl', `${u.username}.crt`);
    const key = join(root(), 'etc/reseller-panel/ssl', `${u.username}.key`);
    const site = join(root(), 'etc/reseller-panel/sites', `${u.username}.conf`);
    expect((await api('PUT', `/users/${u.username}/ssl`, { token: r.token, body: { privateKey: p.privateKeyPem, certificate: p.certificatePem } })).status).toBe(200);
    const state = join(root(), 'var/lib/reseller-panel/state', `${u.username}.state`);
    // The script records the state last: wait for it too (under load the files come first).
    await until('certificate on the server', () => existsSync(key) && readNow(site).includes(`<VirtualHost ${ip}:443>`) && readNow(state).includes(`/reseller-panel/ssl/${u.username}/`));
    expect(readFileSync(crt, 'utf8')).toBe(p.certificatePem);
    expect(readFileSync(key, 'utf8')).toBe(p.privateKeyPem.trim() + '\n');
    expect(statSync(key).mode & 0o777).toBe(0o600);
    // The key went to the key store's stand-in (0600), not into the state the server recorded.
    const keyBody = p.privateKeyPem.split('\n')[1] as string;
    expect(readFileSync(state, 'utf8')).not.toContain(keyBody);
    const stored = readdirSync(join(inject('dataDir'), 'key-store'), { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
    expect(stored.some((d) => (statSync(join(d.parentPath, d.name)).mode & 0o777) === 0o600 && d.parentPath.endsWith(u.username))).toBe(true);

    expect((await api('DELETE', `/users/${u.username}/ssl`, { token: r.token })).status).toBe(204);
    await until('certificate removed from the server', () => !existsSync(key) && !existsSync(crt));
    await until('HTTPS block off', () => existsSync(site) && !readNow(site).includes(':443>'));
    expect(existsSync(join(inject('dataDir'), 'key-store', 'reseller-panel', 'ssl', u.username))
      ? readdirSync(join(inject('dataDir'), 'key-store', 'reseller-panel', 'ssl', u.username)) : []).toEqual([]);
  });

  it('a self-signed certificate reaches the server too', async () => {
    const { r, u } = await userWithIp();
    const res = await api('POST', `/users/${u.username}/ssl/self-signed`, { token: r.token, body: { country: 'DE', organization: 'Acme', days: 30 } });
    expect(res.status).toBe(201);
    const crt = join(root(), 'etc/reseller-panel/ssl', `${u.username}.crt`);
    await until('self-signed certificate on the server', () => existsSync(crt));
    expect(readFileSync(crt, 'utf8')).toBe((await api('GET', `/users/${u.username}/ssl`, { token: r.token })).body.certificate);
  });
  const keyFiles = (username: string) => {
    const dir = join(inject('dataDir'), 'key-store', 'reseller-panel', 'ssl', username);
    return existsSync(dir) ? readdirSync(dir) : [];
  };

  it('a certificate stored before the key store (key only in the table) gets its parameter on its next push and reaches the server', async () => {
    const { r, u } = await userWithIp();
    const p = await pair('legacy.example.com');
    const crt = join(root(), 'etc/reseller-panel/ssl', `${u.username}.crt`);
    const key = join(root(), 'etc/reseller-panel/ssl', `${u.username}.key`);
    expect((await api('PUT', `/users/${u.username}/ssl`, { token: r.token, body: { privateKey: p.privateKeyPem, certificate: p.certificatePem } })).status).toBe(200);
    await until('certificate on the server', () => existsSync(key));
    // Make it an old certificate: no reference on the item, no parameter, not on the server.
    const db = localDocumentClient();
    const certKey = keys.userCertificate(r.id, u.username);
    await db.send(new UpdateCommand({ TableName: inject('tableName'), Key: certKey, UpdateExpression: 'REMOVE keyRef, keySha256' }));
    rmSync(join(inject('dataDir'), 'key-store', 'reseller-panel', 'ssl', u.username), { recursive: true, force: true });
    rmSync(crt);
    rmSync(key);

    expect((await api('POST', `/operator/users/${u.username}/push`, { token: await operator() })).status).toBe(202);
    await until('old certificate on the server', () => existsSync(key) && existsSync(crt));
    expect(readFileSync(key, 'utf8')).toBe(p.privateKeyPem.trim() + '\n');
    expect(readFileSync(crt, 'utf8')).toBe(p.certificatePem);
    expect(keyFiles(u.username)).toHaveLength(1);
    const item = (await db.send(new GetCommand({ TableName: inject('tableName'), Key: certKey, ConsistentRead: true }))).Item!;
    expect(item.keyRef).toBe(`/reseller-panel/ssl/${u.username}/${keyFiles(u.username)[0]}`);
    expect(item.keySha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('replacing a certificate removes the old key parameter; deleting the user removes the key parameter', async () => {
    const { r, u } = await userWithIp();
    const first = await pair('one.example.com');
    expect((await api('PUT', `/users/${u.username}/ssl`, { token: r.token, body: { privateKey: first.privateKeyPem, certificate: first.certificatePem } })).status).toBe(200);
    const before = keyFiles(u.username);
    expect(before).toHaveLength(1);
    const second = await pair('two.example.com');
    expect((await api('PUT', `/users/${u.username}/ssl`, { token: r.token, body: { privateKey: second.privateKeyPem, certificate: second.certificatePem } })).status).toBe(200);
    const after = keyFiles(u.username);
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(before);
    expect((await api('DELETE', `/users/${u.username}`, { token: r.token })).status).toBeLessThan(300);
    expect(keyFiles(u.username)).toEqual([]);
  });
});

/**
 * What the panel accepts reaches the server (issue 8): the user's certificate and its private key
 * (fetched by the script from the key store, never passed to it), FrontPage and MySQL external
 * access, each converged by provision.sh and removed when off.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeX509 } from '../../../shared/adapters/crypto/node-x509';
import { LocalKeyStore } from '../../../shared/adapters/local/local-key-store';
import { htpasswdSha } from '../../../shared/domain/controlpanel/frontpage';
import { desiredState, encodeStateForScript, type DesiredStateInput } from '../../../shared/domain/provisioning';
import { keyDigest, sslKeyRef } from '../../../shared/domain/provisioning/key-names';
import { cleanTmpRoots, exists, modeOf, read, runScript, tmpRoot, tree, type ScriptRun } from './helpers';

afterAll(cleanTmpRoots);

const SITE = 'etc/reseller-panel/sites/web12.conf';
const CRT = 'etc/reseller-panel/ssl/web12.crt';
const KEY = 'etc/reseller-panel/ssl/web12.key';

let cert: { privateKeyPem: string; certificatePem: string };
let other: { privateKeyPem: string; certificatePem: string };
beforeAll(async () => {
  const x = new NodeX509();
  cert = await x.selfSigned({ country: 'DE', organization: 'Acme', commonName: 'example.com', days: 30 }, new Date());
  other = await x.selfSigned({ country: 'DE', organization: 'Other', commonName: 'example.com', days: 30 }, new Date());
});

const user = (over: Partial<DesiredStateInput> = {}): DesiredStateInput => ({
  username: 'web12',
  resellerId: 'res-1',
  sequence: 1,
  ip: '203.0.113.9',
  domains: [{ name: 'example.com', dns: true, dnr: false }],
  services: { ssl: true },
  ...over,
});

/** A server root and the key store (outside the root, as Parameter Store is outside the server). */
function server() {
  const root = tmpRoot();
  const store = path.join(tmpRoot(), 'key-store');
  const keys = new LocalKeyStore(store);
  const applyState = (input: DesiredStateInput): ScriptRun =>
    runScript(['apply', '--root', root, '--state-b64', encodeStateForScript(desiredState(input))], { PROVISION_KEY_STORE_DIR: store });
  return { root, store, keys, applyState };
}

async function sslOf(keys: LocalKeyStore, c: { privateKeyPem: string; certificatePem: string }) {
  const keySha256 = keyDigest(c.privateKeyPem);
  const keyRef = sslKeyRef(keys.path, 'web12', keySha256);
  await keys.put(keyRef, c.privateKeyPem);
  return { certificate: c.certificatePem, keyRef, keySha256 };
}

describe('provision.sh: the user\'s own certificate', () => {
  it('writes the certificate and the fetched key (0600), turns the HTTPS block on, converges, and removes both when SSL goes', async () => {
    const s = server();
    const ssl = await sslOf(s.keys, cert);
    const first = s.applyState(user({ ssl }));
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.json.changed).toEqual(expect.arrayContaining([`write /${CRT}`, `write /${KEY}`, 'system reload-webserver']));
    expect(read(s.root, CRT)).toBe(cert.certificatePem);
    expect(read(s.root, KEY)).toBe(cert.privateKeyPem.trim() + '\n');
    expect(modeOf(s.root, KEY)).toBe('600');
    expect(modeOf(s.root, CRT)).toBe('644');
    const site = read(s.root, SITE);
    expect(site).toContain('<VirtualHost 203.0.113.9:443>');
    expect(site).toContain('SSLCertificateFile /etc/reseller-panel/ssl/web12.crt');
    expect(site).toContain('SSLCertificateKeyFile /etc/reseller-panel/ssl/web12.key');
    expect(site).not.toContain('IfFile');

    // The key is nowhere but in the key file: not in the output, the recorded state or the system log.
    const keyBody = cert.privateKeyPem.split('\n')[1] as string;
    expect(first.stdout + first.stderr).not.toContain(keyBody);
    for (const line of tree(s.root)) {
      const rel = line.split(' ')[0] as string;
      if (line.split(' ')[1] === 'f' && rel !== KEY) expect(readFileSync(path.join(s.root, rel), 'utf8'), rel).not.toContain(keyBody);
    }

    const before = tree(s.root);
    expect(s.applyState(user({ ssl })).json).toMatchObject({ ok: true, changed: [] });
    expect(tree(s.root)).toEqual(before);

    // A new certificate replaces both files; removing SSL removes them and the HTTPS block.
    const next = await sslOf(s.keys, other);
    expect(s.applyState(user({ sequence: 2, ssl: next })).json.changed).toEqual(expect.arrayContaining([`write /${CRT}`, `write /${KEY}`]));
    expect(read(s.root, KEY)).toBe(other.privateKeyPem.trim() + '\n');
    const off = s.applyState(user({ sequence: 3, ssl: null }));
    expect(off.json.changed).toEqual(expect.arrayContaining([`remove /${CRT}`, `remove /${KEY}`]));
    expect(exists(s.root, CRT) || exists(s.root, KEY)).toBe(false);
    expect(read(s.root, SITE)).not.toContain(':443>');
  });

  it('refuses a key that is not the certificate\'s (replaced meanwhile) or missing, and writes no key', async () => {
    const s = server();
    const ssl = await sslOf(s.keys, cert);
    await s.keys.put(ssl.keyRef, other.privateKeyPem);
    const wrong = s.applyState(user({ ssl }));
    expect(wrong.code).toBe(1);
    expect(wrong.json.error).toMatch(/is not the key of this certificate/);
    expect(exists(s.root, KEY)).toBe(false);
    const missing = s.applyState(user({ ssl: { ...ssl, keyRef: '/reseller-panel/ssl/web12/0000000000000000' } }));
    expect(missing.code).toBe(1);
    expect(missing.json.error).toBe('private key not found in the key store: /reseller-panel/ssl/web12/0000000000000000');
  });

  it('keeps the certificate while locked and answers HTTPS with the neutral page', async () => {
    const s = server();
    const ssl = await sslOf(s.keys, cert);
    expect(s.applyState(user({ ssl, locked: true })).code).toBe(0);
    const site = read(s.root, SITE);
    expect(site).toContain('<VirtualHost 203.0.113.9:443>');
    expect(site.split(':443>')[1]).toContain('/var/lib/reseller-panel/locked');
    expect(exists(s.root, KEY)).toBe(true);
  });

  it('refuses a key reference that escapes the store, before touching anything', () => {
    const s = server();
    const bad = encodeStateForScript(desiredState(user())).replace(/x/g, 'x'); // a valid state first
    expect(runScript(['apply', '--root', s.root, '--state-b64', bad]).code).toBe(0);
    const lines = Buffer.from(bad, 'base64').toString('utf8').replace(/^ssl=$/m,
      `ssl=${Buffer.from(cert.certificatePem).toString('base64')} /reseller-panel/../../etc/shadow ${'a'.repeat(64)}`);
    const r = runScript(['apply', '--root', s.root, '--state-b64', Buffer.from(lines).toString('base64')], { PROVISION_KEY_STORE_DIR: s.store });
    expect(r.code).toBe(2);
    expect(r.json.error).toMatch(/key reference/);
  });
});

describe('provision.sh: FrontPage and MySQL external access', () => {
  const frontPage = { login: 'web12-fp', passwordHash: htpasswdSha('a generated password') };

  it('FrontPage on: the extensions\' config and the login\'s htpasswd entry, protected in the site; off removes them', () => {
    const s = server();
    const on = s.applyState(user({ frontPage, services: {} }));
    expect(on.code, on.stdout).toBe(0);
    expect(read(s.root, 'etc/reseller-panel/frontpage/web12.htpasswd')).toBe(`web12-fp:${frontPage.passwordHash}\n`);
    expect(modeOf(s.root, 'etc/reseller-panel/frontpage/web12.htpasswd')).toBe('640');
    expect(read(s.root, 'etc/reseller-panel/frontpage/web12.conf')).toContain('login=web12-fp');
    expect(read(s.root, 'etc/reseller-panel/frontpage/web12.conf')).toContain('enabled=1');
    expect(read(s.root, SITE)).toContain('AuthUserFile /etc/reseller-panel/frontpage/web12.htpasswd');
    expect(read(s.root, 'var/log/reseller-panel/system.log')).toContain('chown -h root:www-data /etc/reseller-panel/frontpage/web12.htpasswd');
    const before = tree(s.root);
    expect(s.applyState(user({ frontPage, services: {} })).json.changed).toEqual([]);
    expect(tree(s.root)).toEqual(before);
    const off = s.applyState(user({ sequence: 2, services: {} }));
    expect(off.json.changed).toEqual(expect.arrayContaining(['remove /etc/reseller-panel/frontpage/web12.conf', 'remove /etc/reseller-panel/frontpage/web12.htpasswd']));
    expect(read(s.root, SITE)).not.toContain('_vti_bin');
  });

  it('MySQL external access is in the per-user file the grant step reads; off while locked', () => {
    const s = server();
    s.applyState(user({ mysqlExternalAccess: true, limits: { mysqlDatabases: 2 } }));
    const conf = read(s.root, 'etc/reseller-panel/mysql/web12.conf');
    expect(conf).toContain('externalAccess=1');
    expect(conf).toContain('hosts=localhost %');
    expect(conf).toContain('databases=2');
    s.applyState(user({ sequence: 2, mysqlExternalAccess: true, limits: { mysqlDatabases: 2 }, locked: true }));
    expect(read(s.root, 'etc/reseller-panel/mysql/web12.conf')).toContain('externalAccess=0');
    s.applyState(user({ sequence: 3, mysqlExternalAccess: false, limits: { mysqlDatabases: 2 } }));
    expect(read(s.root, 'etc/reseller-panel/mysql/web12.conf')).toContain('hosts=localhost\n');
    s.applyState(user({ sequence: 4, deleted: true }));
    expect(exists(s.root, 'etc/reseller-panel/mysql/web12.conf')).toBe(false);
  });
});

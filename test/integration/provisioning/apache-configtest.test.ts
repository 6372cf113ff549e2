/**
 * The generated site files are accepted by a real Apache 2.4 (issue 8, Deliver 6): provision.sh
 * converges users for every service switch alone and all together, SSL on (an own certificate)
 * and off, locked and unlocked, FrontPage, IPv4 and IPv6; then Debian's apache2 runs its configtest
 * (`apache2 -t`) on a config that loads the modules the sites use and includes every generated
 * site, its absolute paths mapped into the test root. CI installs apache2 (.ci/run); without it the
 * test fails when CI is set and is skipped only on a machine that has no apache2 at all.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeX509 } from '../../../shared/adapters/crypto/node-x509';
import { LocalKeyStore } from '../../../shared/adapters/local/local-key-store';
import { htpasswdSha } from '../../../shared/domain/controlpanel/frontpage';
import { PROVISION_SWITCH_NAMES, desiredState, encodeStateForScript, type DesiredStateInput, type ProvisionSsl } from '../../../shared/domain/provisioning';
import { keyDigest, sslKeyRef } from '../../../shared/domain/provisioning/key-names';
import { SCRIPT, cleanTmpRoots, tmpRoot } from './helpers';

afterAll(cleanTmpRoots);

function findApache(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/local/sbin'])) {
    const p = path.join(dir, 'apache2');
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}
const APACHE = findApache();
const MODULES_DIR = ['/usr/lib/apache2/modules', '/usr/lib64/httpd/modules', '/usr/lib/httpd/modules'].find((d) => existsSync(d));
const inCi = !!process.env.CI && process.env.CI !== 'false';

/** The modules the generated sites use (mod_php is behind <IfModule>, as on a server without it). */
const MODULES = ['mpm_event', 'authz_core', 'authn_core', 'authn_file', 'auth_basic', 'authz_user', 'alias', 'mime', 'include', 'cgid', 'ssl', 'socache_shmcb', 'dir'];

/** Every absolute server path a site file names, mapped into the test root. */
const mapPaths = (text: string, root: string) => text.replace(/(^|[\s"])\/(var\/www|etc\/reseller-panel|var\/lib\/reseller-panel)\//g, `$1${root}/$2/`);

function configtest(dir: string, sitesDir: string): { code: number | null; out: string } {
  const conf = path.join(dir, 'httpd.conf');
  writeFileSync(conf, [
    `ServerRoot "${dir}"`,
    'ServerName configtest.invalid',
    `PidFile "${dir}/httpd.pid"`,
    `ErrorLog "${dir}/error.log"`,
    `Mutex file:${dir} default`,
    ...MODULES.map((m) => `LoadModule ${m}_module ${MODULES_DIR}/mod_${m}.so`),
    'Listen 80',
    'Listen 443',
    `IncludeOptional "${sitesDir}/*.conf"`,
    '',
  ].join('\n'));
  const r = spawnSync(APACHE as string, ['-t', '-f', conf], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe.skipIf(!APACHE && !inCi)('the generated site files pass a real Apache 2.4 configtest', () => {
  const root = tmpRoot();
  const store = path.join(tmpRoot(), 'key-store');
  const work = tmpRoot();
  const sites = path.join(work, 'sites');
  const users: { name: string; input: DesiredStateInput }[] = [];

  beforeAll(async () => {
    if (!APACHE) return;
    const keys = new LocalKeyStore(store);
    const x509 = new NodeX509();
    const certFor = async (username: string): Promise<ProvisionSsl> => {
      const c = await x509.selfSigned({ country: 'DE', organization: 'Acme', commonName: `${username}.example.com`, days: 30 }, new Date());
      const keySha256 = keyDigest(c.privateKeyPem);
      const keyRef = sslKeyRef(keys.path, username, keySha256);
      await keys.put(keyRef, c.privateKeyPem);
      return { certificate: c.certificatePem, keyRef, keySha256 };
    };
    let n = 100;
    const add = async (name: string, over: Partial<DesiredStateInput>, withCert = false) => {
      const username = `web${n++}`;
      users.push({
        name,
        input: {
          username, resellerId: 'res-1', sequence: 1, ip: `203.0.113.${n - 100}`,
          domains: [{ name: `${username}.example.com`, dns: true, dnr: false }, { name: `*.${username}.example.org`, dns: false, dnr: false }],
          ...over,
          ...(withCert ? { ssl: await certFor(username) } : {}),
        },
      });
    };
    const all = Object.fromEntries(PROVISION_SWITCH_NAMES.map((s) => [s, true]));
    await add('every switch off', {});
    // Every switch's "on" text is in the all-on sites and its "off" text in the all-off one; a few
    // switches also alone, where one changes what another writes (PHP upload, CGI scripts, listing).
    for (const s of ['ssl', 'php', 'cgi', 'directoryListing', 'ssi', 'webalizer'] as const) await add(`${s} alone`, { services: { [s]: true } }, s === 'ssl');
    await add('CGI with the standard scripts', { services: { cgi: true, standardCgi: true } });
    await add('every switch on, SSL with a certificate, FrontPage', { services: { ...all, backup: 'yes' }, frontPage: { login: `web${n}-fp`, passwordHash: htpasswdSha('x') } }, true);
    await add('every switch on, SSL without a certificate', { services: all });
    await add('locked, SSL with a certificate', { services: all, locked: true }, true);
    await add('locked, no certificate', { services: all, locked: true });
    await add('IPv6, SSL with a certificate', { services: all, ip: '2001:db8::5' }, true);
    await add('shared address (no exclusive IP)', { services: { php: true, cgi: true }, ip: null });
    await add('no domains', { services: all });
    const r = spawnSync('bash', [SCRIPT, 'apply-batch', '--root', root, '--states-b64', users.map((u) => encodeStateForScript(desiredState(u.input))).join(' ')], {
      encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PROVISION_KEY_STORE_DIR: store }, timeout: 280_000,
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { item?: number; exit?: number });
    expect(lines.filter((l) => l.item !== undefined && l.exit !== 0), r.stdout).toEqual([]);
    mkdirSync(sites, { recursive: true });
    for (const f of readdirSync(path.join(root, 'etc/reseller-panel/sites'))) {
      writeFileSync(path.join(sites, f), mapPaths(readFileSync(path.join(root, 'etc/reseller-panel/sites', f), 'utf8'), root));
    }
  }, 300_000);

  it('apache2 is installed (CI installs it; a CI run without it fails here)', () => {
    expect(APACHE, 'apache2 not found on PATH or in /usr/sbin: .ci/run installs Debian\'s apache2').toBeDefined();
    expect(MODULES_DIR).toBeDefined();
  });

  it('accepts every generated site together (Syntax OK)', () => {
    expect(readdirSync(sites)).toHaveLength(users.length);
    const https = users.filter((u) => readFileSync(path.join(sites, `${u.input.username}.conf`), 'utf8').includes(':443>'));
    expect(https.map((u) => u.name).sort()).toEqual(
      ['ssl alone', 'every switch on, SSL with a certificate, FrontPage', 'locked, SSL with a certificate', 'IPv6, SSL with a certificate'].sort());
    const r = configtest(work, sites);
    expect(r.out).toContain('Syntax OK');
    expect(r.code, r.out).toBe(0);
  });

  it('fails on a broken site file: the check can fail', () => {
    const broken = path.join(work, 'broken');
    mkdirSync(broken, { recursive: true });
    const one = users.find((u) => u.name === 'every switch on, SSL with a certificate, FrontPage')!.input.username;
    const text = readFileSync(path.join(sites, `${one}.conf`), 'utf8');
    writeFileSync(path.join(broken, `${one}.conf`), text.replace('</Directory>', '')); // an unclosed section
    const r = configtest(work, broken);
    expect(r.code).not.toBe(0);
    expect(r.out).not.toContain('Syntax OK');
    // and a certificate that is not where the site says
    writeFileSync(path.join(broken, `${one}.conf`), text.replace(`${root}/etc/reseller-panel/ssl/${one}.crt`, `${root}/etc/reseller-panel/ssl/missing.crt`));
    expect(configtest(work, broken).code).not.toBe(0);
  });
});

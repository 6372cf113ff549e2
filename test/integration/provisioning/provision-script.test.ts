import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DesiredStateInput, ProvisionServices, ProvisionSwitchName } from '../../../shared/domain/provisioning';
import { apply, cleanTmpRoots, exists, modeOf, read, tmpRoot, tree } from './helpers';

afterAll(cleanTmpRoots);

const SITE = 'etc/reseller-panel/sites/web12.conf';
const USERCONF = 'etc/reseller-panel/users/web12.conf';
const HOME = 'var/www/web12';
const SYSLOG = 'var/log/reseller-panel/system.log';

const user = (over: Partial<DesiredStateInput> = {}): DesiredStateInput => ({
  username: 'web12',
  resellerId: 'res-1',
  sequence: 1,
  limits: { storageMb: 100 },
  domains: [{ name: 'example.com', dns: true, dnr: false }],
  ...over,
});

/** Applies, asserts success, then applies again and asserts nothing changed at all. */
function converge(root: string, input: DesiredStateInput): string[] {
  const first = apply(root, input);
  expect(first.code, JSON.stringify(first.json) + first.stderr).toBe(0);
  expect(first.json.ok).toBe(true);
  const before = tree(root);
  const second = apply(root, input);
  expect(second.json).toMatchObject({ ok: true, changed: [] });
  expect(tree(root)).toEqual(before);
  return first.json.changed as string[];
}

describe('provision.sh apply: a new user', () => {
  it('creates home, html, log, the site, the user file and the account, and a second run changes nothing', () => {
    const root = tmpRoot();
    const changed = converge(root, user());
    expect(changed).toEqual(expect.arrayContaining(['mkdir /var/www/web12', 'mkdir /var/www/web12/html',
      'mkdir /var/www/web12/log', 'write /etc/reseller-panel/sites/web12.conf', 'system useradd web12']));
    expect(modeOf(root, HOME)).toBe('755');
    expect(modeOf(root, `${HOME}/html`)).toBe('755');
    for (const off of ['cgi-bin', 'phptmp', 'html/webalizer', 'html/index.html']) expect(exists(root, `${HOME}/${off}`)).toBe(false);
    expect(exists(root, 'etc/cron.d/web12')).toBe(false);
    const site = read(root, SITE);
    expect(site).toContain('ServerName example.com');
    expect(site).toContain('ServerAlias www.example.com');
    expect(site).toContain('DocumentRoot /var/www/web12/html');
    expect(site).toContain('CustomLog /var/www/web12/log/access.log combined');
    const log = read(root, SYSLOG);
    expect(log).toContain('useradd -M -U -d /var/www/web12 -s /bin/false web12');
    expect(log).toContain('setquota -u web12 102400 102400 0 0 -a');
    expect(log).toContain('reload-webserver');
    expect(read(root, USERCONF)).toContain('login=enabled');
  });

  it('binds the site to an exclusive IP and lists every domain', () => {
    const root = tmpRoot();
    converge(root, user({ ip: '203.0.113.9', domains: [
      { name: 'b.example', dns: true, dnr: false }, { name: '*.a.example', dns: false, dnr: false }, { name: 'c.example', dns: false, dnr: true }] }));
    const site = read(root, SITE);
    expect(site).toContain('<VirtualHost 203.0.113.9:80>');
    expect(site).toContain('ServerName b.example');
    expect(site).toContain('ServerAlias www.b.example c.example www.c.example *.a.example');
    expect(read(root, USERCONF)).toContain('domain=c.example dns=0 dnr=1');
  });

  it('writes cron entries for the user and removes the file when there are none', () => {
    const root = tmpRoot();
    converge(root, user({ cronJobs: [{ schedule: '*/5 * * * *', command: 'php $HOME/cron.php >/dev/null 2>&1' }, { schedule: '@daily', command: 'echo "hi"' }] }));
    const cron = read(root, 'etc/cron.d/web12');
    expect(cron.split('\n')).toEqual(expect.arrayContaining([
      '*/5 * * * * web12 php $HOME/cron.php >/dev/null 2>&1', '@daily web12 echo "hi"']));
    expect(modeOf(root, 'etc/cron.d/web12')).toBe('644');
    const changed = converge(root, user({ sequence: 2 }));
    expect(changed).toEqual(['remove /etc/cron.d/web12']);
  });

  it('fails with a message when a directory cannot be created, and recovers once it can', () => {
    const root = tmpRoot();
    converge(root, user());
    writeFileSync(path.join(root, HOME, 'cgi-bin'), 'in the way');
    const r = apply(root, user({ sequence: 2, services: { cgi: true } }));
    expect(r.code).toBe(1);
    expect(r.json).toEqual({ ok: false, error: 'directory could not be created: /var/www/web12/cgi-bin exists and is not a directory' });
    // The failed state was not recorded as applied: the same state is retried and converges.
    rmSync(path.join(root, HOME, 'cgi-bin'));
    expect(converge(root, user({ sequence: 2, services: { cgi: true } }))).toContain('mkdir /var/www/web12/cgi-bin');
  });

  it('never applies an older state over a newer one', () => {
    const root = tmpRoot();
    converge(root, user({ sequence: 5, services: { cgi: true } }));
    const before = tree(root);
    const r = apply(root, user({ sequence: 4 }));
    expect(r.json).toEqual({ ok: true, username: 'web12', sequence: 4, stale: true, appliedSequence: 5, changed: [] });
    expect(tree(root)).toEqual(before);
  });
});

type Check = (root: string, on: boolean) => void;
const has = (rel: string, text: string): Check => (root, on) => {
  if (on) expect(read(root, rel)).toContain(text);
  else expect(exists(root, rel) ? read(root, rel) : '').not.toContain(text);
};
const conf = (line: string): Check => (root, on) => expect(read(root, USERCONF).split('\n')).toContain(`${line}=${on ? 1 : 0}`);

const SWITCH_CHECKS: Record<ProvisionSwitchName, Check> = {
  ftp: conf('ftp'),
  php: (root, on) => {
    has(SITE, 'php_admin_flag engine on')(root, on);
    has(SITE, 'php_admin_flag engine off')(root, !on);
  },
  ssi: (root, on) => {
    has(SITE, '+IncludesNOEXEC')(root, on);
    has(SITE, 'AddOutputFilter INCLUDES .shtml')(root, on);
  },
  phpUpload: (root, on) => {
    expect(exists(root, `${HOME}/phptmp`)).toBe(on);
    if (on) expect(modeOf(root, `${HOME}/phptmp`)).toBe('777');
  },
  wap: has(SITE, 'AddType text/vnd.wap.wml .wml'),
  // Without an own certificate there is no HTTPS block; with one: provision-delivered.test.ts.
  ssl: (root) => has(SITE, 'SSLEngine on')(root, false),
  directoryListing: (root, on) => {
    has(SITE, '+Indexes')(root, on);
    has(SITE, '-Indexes')(root, !on);
  },
  cgi: (root, on) => {
    expect(exists(root, `${HOME}/cgi-bin`)).toBe(on);
    has(SITE, 'ScriptAlias /cgi-bin/ /var/www/web12/cgi-bin/')(root, on);
  },
  python: has(SITE, 'SetHandler cgi-script'),
  shell: (root, on) => {
    conf('shell')(root, on);
    if (on) expect(read(root, SYSLOG)).toContain('usermod -s /bin/bash web12');
    expect(read(root, 'var/lib/reseller-panel/system/web12')).toContain(`shell=${on ? '/bin/bash' : '/bin/false'}`);
  },
  coldfusion: has(SITE, 'AddHandler cfm-handler .cfm .cfml .cf'),
  webalizer: (root, on) => {
    expect(exists(root, `${HOME}/html/webalizer`)).toBe(on);
    has(`${HOME}/html/webalizer/.htaccess`, 'Require valid-user')(root, on);
    expect(exists(root, 'etc/reseller-panel/webalizer/web12.conf')).toBe(on);
  },
  passwordProtection: has(SITE, 'AuthConfig'),
  errorFiles: has(SITE, 'FileInfo'),
  webftp: conf('webftp'),
  webmail: conf('webmail'),
  standardCgi: (root, on) => {
    // Installed only into an existing cgi-bin; CGI is on in this check.
    expect(exists(root, `${HOME}/cgi-bin/hello.cgi`)).toBe(on);
    expect(exists(root, `${HOME}/cgi-bin/time.cgi`)).toBe(on);
  },
  spamFilter: conf('spamFilter'),
};

describe('provision.sh apply: every service switch', () => {
  for (const [name, check] of Object.entries(SWITCH_CHECKS) as Array<[ProvisionSwitchName, Check]>) {
    it(`${name}: on, then off, each converging in one run`, () => {
      const root = tmpRoot();
      // standardCgi needs a cgi-bin; everything else starts from all services off.
      const baseServices: Partial<ProvisionServices> = name === 'standardCgi' ? { cgi: true } : {};
      converge(root, user({ sequence: 1, services: baseServices }));
      check(root, false);
      const onChanges = converge(root, user({ sequence: 2, services: { ...baseServices, [name]: true } }));
      if (name !== 'ssl') expect(onChanges.length).toBeGreaterThan(0);
      check(root, true);
      converge(root, user({ sequence: 3, services: baseServices }));
      if (name !== 'standardCgi') check(root, false); // standard scripts are user files once installed
    });
  }

  it('backup: the mode reaches the user file', () => {
    const root = tmpRoot();
    converge(root, user({ services: { backup: 'upload' } }));
    expect(read(root, USERCONF)).toContain('backup=upload');
  });

  it('a service turned off keeps the user\'s files: cgi-bin moves to .disabled/ and comes back', () => {
    const root = tmpRoot();
    converge(root, user({ services: { cgi: true, standardCgi: true } }));
    writeFileSync(path.join(root, HOME, 'cgi-bin/mine.pl'), '#!/usr/bin/perl\nprint "mine";\n');
    const changed = converge(root, user({ sequence: 2 }));
    expect(changed).toContain('archive /var/www/web12/cgi-bin -> /var/www/web12/.disabled/cgi-bin');
    expect(exists(root, `${HOME}/cgi-bin`)).toBe(false);
    expect(read(root, `${HOME}/.disabled/cgi-bin/mine.pl`)).toContain('mine');
    converge(root, user({ sequence: 3, services: { cgi: true } }));
    expect(read(root, `${HOME}/cgi-bin/mine.pl`)).toContain('mine');
    expect(exists(root, `${HOME}/cgi-bin/hello.cgi`)).toBe(true);
  });

  it('standard CGI scripts never overwrite the user\'s own files', () => {
    const root = tmpRoot();
    converge(root, user({ services: { cgi: true } }));
    writeFileSync(path.join(root, HOME, 'cgi-bin/hello.cgi'), 'my own hello');
    const changed = converge(root, user({ sequence: 2, services: { cgi: true, standardCgi: true } }));
    expect(changed).toEqual(['install /var/www/web12/cgi-bin/time.cgi']);
    expect(read(root, `${HOME}/cgi-bin/hello.cgi`)).toBe('my own hello');
    expect(modeOf(root, `${HOME}/cgi-bin/time.cgi`)).toBe('755');
  });

  it('an empty phptmp is removed when PHP upload is turned off', () => {
    const root = tmpRoot();
    converge(root, user({ services: { phpUpload: true } }));
    expect(converge(root, user({ sequence: 2 }))).toContain('rmdir /var/www/web12/phptmp');
    expect(exists(root, `${HOME}/.disabled`)).toBe(false);
  });

  it('Webalizer stats stay protected: when turned off the directory is moved out of html/', () => {
    const root = tmpRoot();
    converge(root, user({ services: { webalizer: true } }));
    writeFileSync(path.join(root, HOME, 'html/webalizer/index.html'), 'stats');
    converge(root, user({ sequence: 2 }));
    expect(exists(root, `${HOME}/html/webalizer`)).toBe(false);
    expect(read(root, `${HOME}/.disabled/webalizer/index.html`)).toBe('stats');
  });
});

describe('provision.sh apply: the index page', () => {
  const page = '<html><body><h1>Welcome, ##user##!</h1><p>##user## is live.</p></body></html>';
  it('is written with ##user## replaced when the user has no index file', () => {
    const root = tmpRoot();
    converge(root, user({ indexPage: page }));
    expect(read(root, `${HOME}/html/index.html`)).toBe('<html><body><h1>Welcome, web12!</h1><p>web12 is live.</p></body></html>');
    expect(modeOf(root, `${HOME}/html/index.html`)).toBe('644');
  });
  it('never replaces the user\'s own index file', () => {
    const root = tmpRoot();
    converge(root, user());
    writeFileSync(path.join(root, HOME, 'html/index.php'), '<?php echo 1;');
    expect(converge(root, user({ sequence: 2, indexPage: page }))).toEqual([]);
    expect(exists(root, `${HOME}/html/index.html`)).toBe(false);
    writeFileSync(path.join(root, HOME, 'html/index.html'), 'mine');
    converge(root, user({ sequence: 3, indexPage: page + 'v2' }));
    expect(read(root, `${HOME}/html/index.html`)).toBe('mine');
  });
  it("follows the reseller's current page while the file is still the panel's: a fixed typo reaches the user", () => {
    const root = tmpRoot();
    converge(root, user({ indexPage: '<h1>Welcom ##user##</h1>' }));
    expect(read(root, `${HOME}/html/index.html`)).toBe('<h1>Welcom web12</h1>');
    expect(converge(root, user({ sequence: 2, indexPage: '<h1>Welcome ##user##</h1>' }))).toEqual(['write /var/www/web12/html/index.html']);
    expect(read(root, `${HOME}/html/index.html`)).toBe('<h1>Welcome web12</h1>');
    // The panel's page removed: the panel's file goes too.
    expect(converge(root, user({ sequence: 3, indexPage: null }))).toEqual(['remove /var/www/web12/html/index.html']);
    expect(exists(root, `${HOME}/html/index.html`)).toBe(false);
    // Once the user edits the file it is theirs: later pages and a removal leave it alone.
    converge(root, user({ sequence: 4, indexPage: '<p>v4</p>' }));
    writeFileSync(path.join(root, HOME, 'html/index.html'), '<p>v4</p> and mine');
    expect(converge(root, user({ sequence: 5, indexPage: '<p>v5</p>' }))).toEqual([]);
    expect(converge(root, user({ sequence: 6, indexPage: null }))).toEqual([]);
    expect(read(root, `${HOME}/html/index.html`)).toBe('<p>v4</p> and mine');
  });
});

describe('provision.sh apply: lock, unlock and delete', () => {
  const full = (over: Partial<DesiredStateInput> = {}) => user({
    services: { cgi: true, php: true, phpUpload: true, webalizer: true, ftp: true, shell: true },
    cronJobs: [{ schedule: '0 * * * *', command: 'php cron.php' }],
    indexPage: '<p>##user##</p>',
    ...over,
  });
  const homeTree = (root: string) => tree(path.join(root, HOME));

  it('a locked user\'s site and logins are disabled without losing files, and unlock restores them', () => {
    const root = tmpRoot();
    converge(root, full());
    writeFileSync(path.join(root, HOME, 'html/page.html'), 'content');
    const siteBefore = read(root, SITE);
    const cronBefore = read(root, 'etc/cron.d/web12');
    const homeBefore = homeTree(root);

    const locked = converge(root, full({ sequence: 2, locked: true }));
    expect(locked).toEqual(expect.arrayContaining(['system lock web12', 'write /etc/reseller-panel/sites/web12.conf']));
    expect(homeTree(root)).toEqual(homeBefore);
    const site = read(root, SITE);
    expect(site).toContain('DocumentRoot /var/lib/reseller-panel/locked');
    expect(site).not.toContain('/var/www/web12/html');
    expect(read(root, 'var/lib/reseller-panel/locked/index.html')).toContain('unavailable');
    expect(read(root, 'etc/cron.d/web12')).toContain('# 0 * * * * web12 php cron.php');
    expect(read(root, 'etc/cron.d/web12').split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('SHELL='))).toEqual([]);
    expect(read(root, USERCONF)).toContain('login=disabled');
    expect(read(root, USERCONF)).toContain('ftp=0');
    expect(read(root, SYSLOG)).toContain('usermod -L -e 1 web12');

    const unlocked = converge(root, full({ sequence: 3 }));
    expect(unlocked).toContain('system unlock web12');
    expect(read(root, SITE)).toBe(siteBefore);
    expect(read(root, 'etc/cron.d/web12')).toBe(cronBefore);
    expect(read(root, USERCONF)).toContain('login=enabled');
    expect(read(root, USERCONF)).toContain('ftp=1');
    expect(read(root, SYSLOG)).toContain("usermod -U -e  web12");
    expect(homeTree(root)).toEqual(homeBefore);
  });

  it('a deleted user\'s files are archived, not destroyed, and the config and account are removed', async () => {
    const root = tmpRoot();
    converge(root, full());
    writeFileSync(path.join(root, HOME, 'html/page.html'), 'content');
    const changed = converge(root, full({ sequence: 9, deleted: true }));
    expect(changed).toEqual(expect.arrayContaining(['archive /var/www/web12 -> /var/archive/web12-seq9.tar.gz',
      'remove /etc/reseller-panel/sites/web12.conf', 'remove /etc/cron.d/web12', 'system userdel web12']));
    expect(exists(root, HOME)).toBe(false);
    for (const gone of [SITE, USERCONF, 'etc/cron.d/web12', 'etc/reseller-panel/webalizer/web12.conf']) expect(exists(root, gone)).toBe(false);
    const { spawnSync } = await import('node:child_process');
    const list = spawnSync('tar', ['-tzf', path.join(root, 'var/archive/web12-seq9.tar.gz')], { encoding: 'utf8' }).stdout;
    expect(list).toContain('web12/html/page.html');
    expect(list).toContain('web12/cgi-bin/');
    const content = spawnSync('tar', ['-xzOf', path.join(root, 'var/archive/web12-seq9.tar.gz'), 'web12/html/page.html'], { encoding: 'utf8' }).stdout;
    expect(content).toBe('content');
    expect(read(root, SYSLOG)).toContain('userdel web12');
    // An older create arriving late does not bring the user back.
    expect(apply(root, full({ sequence: 8 })).json).toMatchObject({ ok: true, stale: true, changed: [] });
    expect(exists(root, HOME)).toBe(false);
  });
});

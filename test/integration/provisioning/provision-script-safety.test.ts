import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/domain/errors';
import { desiredState, stateToScriptLines, type DesiredStateInput } from '../../../shared/domain/provisioning';
import { apply, applyB64, cleanTmpRoots, rawB64, runScript, tmpRoot, tree } from './helpers';

afterAll(cleanTmpRoots);

const valid: DesiredStateInput = {
  username: 'web7',
  resellerId: 'res-1',
  sequence: 1,
  domains: [{ name: 'example.com', dns: true, dnr: false }],
  cronJobs: [{ schedule: '* * * * *', command: 'true' }],
  indexPage: '<p>##user##</p>',
};
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** The valid state's lines with `key=` lines replaced (or added). */
function crafted(replace: Record<string, string[]>): string[] {
  const lines = stateToScriptLines(desiredState(valid));
  const out: string[] = [];
  const done = new Set<string>();
  for (const l of lines) {
    const key = l.slice(0, l.indexOf('='));
    if (replace[key]) {
      if (!done.has(key)) out.push(...(replace[key] as string[]));
      done.add(key);
    } else out.push(l);
  }
  for (const [k, v] of Object.entries(replace)) if (!done.has(k)) out.push(...v);
  return out;
}

describe('escape attempts are refused by the TypeScript side before sending', () => {
  const attempts: Array<[string, Partial<DesiredStateInput>]> = [
    ['../ in a name', { username: '../../etc' }],
    ['a domain with a slash', { domains: [{ name: 'evil.com/../../../etc', dns: true, dnr: false }] }],
    ['a cron line with a newline', { cronJobs: [{ schedule: '* * * * *', command: 'true\n* * * * * root sh -c evil' }] }],
  ];
  for (const [what, over] of attempts) {
    it(what, () => expect(() => desiredState({ ...valid, ...over })).toThrow(ValidationError));
  }
});

describe('provision.sh refuses a crafted state on its own, before touching anything', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['../ in the username', crafted({ username: ['username=../../etc'] }), /username/],
    ['a slash in the username', crafted({ username: ['username=web1/../../root'] }), /username/],
    ['a username not like web<n>', crafted({ username: ['username=root'] }), /username/],
    ['a slash in the reseller', crafted({ reseller: ['reseller=a/b'] }), /reseller/],
    ['a domain with a slash', crafted({ domain: ['domain=evil.com/../../etc 1 0'] }), /domain/],
    ['a domain with an invalid label', crafted({ domain: ['domain=-x.example.com 1 0'] }), /domain/],
    ['a domain smuggling a directive', crafted({ domain: ['domain=a.com 1 0 ServerAlias'] }), /domain/],
    ['a cron command with a newline', crafted({ cron: [`cron=${b64('* * * * *')} ${b64('true\n* * * * * root evil')}`] }), /newline/],
    ['a cron command ending in a newline', crafted({ cron: [`cron=${b64('* * * * *')} ${b64('true\n')}`] }), /newline/],
    ['a cron command with a CR', crafted({ cron: [`cron=${b64('* * * * *')} ${b64('true\revil')}`] }), /newline|carriage/],
    ['a cron command with NUL', crafted({ cron: [`cron=${b64('* * * * *')} ${b64('true\0evil')}`] }), /NUL/],
    ['a cron schedule with a newline', crafted({ cron: [`cron=${b64('* * * * *\n* * * * *')} ${b64('true')}`] }), /cron/],
    ['a cron schedule with a user field', crafted({ cron: [`cron=${b64('* * * * * root')} ${b64('true')}`] }), /cron/],
    ['an index page with NUL', crafted({ index: [`index=${b64('<p>\0</p>')}`] }), /NUL/],
    ['an unknown key', crafted({ 'x.exec': ['x.exec=rm -rf /'] }), /unknown key/],
    ['a second username line', crafted({ username: ['username=web7', 'username=web8'] }), /duplicate/],
    ['a missing key', crafted({ deleted: [] }), /missing deleted/],
    ['an IP with a shell command', crafted({ ip: ['ip=1.2.3.4;reboot'] }), /ip/],
    ['an octal-looking sequence', crafted({ sequence: ['sequence=010'] }), /sequence/],
    ['a wrong format', crafted({ format: ['format=other/9'] }), /format/],
  ];
  for (const [what, lines, message] of cases) {
    it(what, () => {
      const root = tmpRoot();
      const r = applyB64(root, rawB64(lines));
      expect(r.code).toBe(2);
      expect(r.json.ok).toBe(false);
      expect(String(r.json.error)).toMatch(/^invalid state: /);
      expect(String(r.json.error)).toMatch(message);
      expect(tree(root)).toEqual([]);
    });
  }

  it('a state that is not base64, or holds a CR or NUL', () => {
    const root = tmpRoot();
    for (const bad of ["abc'; rm -rf /", 'not base64!', rawB64(['format=reseller-panel-state/1\r']), Buffer.from('username=web1\0').toString('base64')]) {
      const r = applyB64(root, bad);
      expect(r.code).toBe(2);
      expect(r.json.ok).toBe(false);
    }
    expect(tree(root)).toEqual([]);
  });

  it('bad arguments: relative or escaping root, unknown action, real system under a temporary root', () => {
    const root = tmpRoot();
    const state = rawB64(crafted({}));
    for (const args of [
      ['apply', '--root', 'relative/dir', '--state-b64', state],
      ['apply', '--root', `${root}/../..`, '--state-b64', state],
      ['apply', '--root', root, '--state-b64', state, '--system', 'real'],
      ['destroy', '--root', root],
      ['apply', '--root', root],
      ['apply', '--root', root, '--state-b64'],
    ]) {
      const r = runScript(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.json.ok).toBe(false);
    }
    expect(tree(root)).toEqual([]);
  });

  it('never follows a symbolic link the user planted in the home', () => {
    const root = tmpRoot();
    expect(apply(root, valid).json.ok).toBe(true);
    const outside = path.join(root, 'outside');
    mkdirSync(outside);
    symlinkSync(outside, path.join(root, 'var/www/web7/phptmp'));
    const r = apply(root, { ...valid, sequence: 2, services: { phpUpload: true } });
    expect(r.json).toEqual({ ok: false, error: 'directory could not be created: /var/www/web7/phptmp is a symbolic link' });
    expect(tree(root).find((l) => l.startsWith('outside '))).toBe('outside d 755');
    // A symlink in place of the index page counts as the user's index: nothing is written through it.
    const target = path.join(root, 'target.txt');
    writeFileSync(target, 'untouched');
    symlinkSync(target, path.join(root, 'var/www/web7/html/index.htm'));
    expect(apply(root, { ...valid, sequence: 3 }).json.ok).toBe(true);
    expect(existsSync(path.join(root, 'var/www/web7/html/index.html'))).toBe(true); // from the first run
  });
});

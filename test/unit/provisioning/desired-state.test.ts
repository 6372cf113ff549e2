import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/domain/errors';
import {
  DEFAULT_SERVICES,
  desiredState,
  encodeStateForScript,
  stateToScriptLines,
  validateDesiredState,
  type DesiredState,
  type DesiredStateInput,
} from '../../../shared/domain/provisioning';

const base: DesiredStateInput = { username: 'web12', resellerId: 'res-1', sequence: 3 };

function fieldOf(fn: () => unknown): Record<string, string> | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).fields;
  }
  throw new Error('expected a ValidationError');
}

describe('desiredState', () => {
  it('completes a minimal input with every limit, service and default', () => {
    const s = desiredState(base);
    expect(s.format).toBe('reseller-panel-state/1');
    expect(s.limits.storageMb).toBe(0);
    expect(Object.keys(s.limits)).toHaveLength(12);
    expect(s.services).toEqual(DEFAULT_SERVICES);
    expect(s.services.backup).toBe('no');
    expect(s).toMatchObject({ domains: [], cronJobs: [], ip: null, locked: false, deleted: false, indexPage: null });
  });

  it('keeps given values, lower-cases and sorts domains', () => {
    const s = desiredState({
      ...base,
      limits: { storageMb: -1, cronjobs: 2 },
      services: { php: true, cgi: true, backup: 'upload' },
      domains: [
        { name: 'Zeta.example', dns: true, dnr: false },
        { name: 'xn--bcher-kva.de', dns: false, dnr: true },
      ],
      ip: '203.0.113.7',
      cronJobs: [{ schedule: '*/5 * * * *', command: 'php cron.php' }],
      locked: true,
      indexPage: '<h1>##user##</h1>',
    });
    expect(s.limits).toMatchObject({ storageMb: -1, cronjobs: 2, ftpUsers: 0 });
    expect(s.services).toMatchObject({ php: true, cgi: true, ssi: false, backup: 'upload' });
    expect(s.domains.map((d) => d.name)).toEqual(['xn--bcher-kva.de', 'zeta.example']);
    expect(s.locked).toBe(true);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('is deterministic: the same user gives the same state and encoding', () => {
    const input: DesiredStateInput = { ...base, domains: [{ name: 'b.com', dns: true, dnr: true }, { name: 'a.com', dns: false, dnr: false }] };
    expect(encodeStateForScript(desiredState(input))).toBe(encodeStateForScript(desiredState({ ...input, domains: [...input.domains!].reverse() })));
  });

  it('accepts IPv6, wildcard domains and cron macros', () => {
    expect(() => desiredState({ ...base, ip: '2001:db8::1', domains: [{ name: '*.example.com', dns: true, dnr: false }],
      cronJobs: [{ schedule: '@daily', command: 'true' }] })).not.toThrow();
  });
});

describe('validateDesiredState refuses escapes and injections, naming the field', () => {
  const cases: Array<[string, Partial<DesiredStateInput>, string]> = [
    ['../ in the username', { username: '../web1' }, 'username'],
    ['slash in the username', { username: 'web1/x' }, 'username'],
    ['a username not like web<n>', { username: 'root' }, 'username'],
    ['an empty username', { username: '' }, 'username'],
    ['NUL in the username', { username: 'web1\0' }, 'username'],
    ['a slash in the reseller id', { resellerId: 'a/b' }, 'resellerId'],
    ['.. in the reseller id', { resellerId: 'a..b' }, 'resellerId'],
    ['a domain with a slash', { domains: [{ name: 'example.com/../../etc', dns: true, dnr: false }] }, 'domains[0].name'],
    ['a domain with a bad label', { domains: [{ name: '-bad.example.com', dns: true, dnr: false }] }, 'domains[0].name'],
    ['a domain with a space', { domains: [{ name: 'a b.com', dns: true, dnr: false }] }, 'domains[0].name'],
    ['a domain with a newline', { domains: [{ name: 'a.com\nServerAlias evil.com', dns: true, dnr: false }] }, 'domains[0].name'],
    ['a domain without a dot', { domains: [{ name: 'localhost', dns: true, dnr: false }] }, 'domains[0].name'],
    ['a non-ASCII domain', { domains: [{ name: 'bücher.de', dns: true, dnr: false }] }, 'domains[0].name'],
    ['a duplicate domain', { domains: [{ name: 'a.com', dns: true, dnr: false }, { name: 'A.com', dns: true, dnr: false }] }, 'domains[1].name'],
    ['a cron command with a newline', { cronJobs: [{ schedule: '* * * * *', command: 'true\n* * * * * root rm -rf /' }] }, 'cronJobs[0].command'],
    ['a cron command with a CR', { cronJobs: [{ schedule: '* * * * *', command: 'true\rx' }] }, 'cronJobs[0].command'],
    ['a cron command with NUL', { cronJobs: [{ schedule: '* * * * *', command: 'true\0' }] }, 'cronJobs[0].command'],
    ['a cron schedule with a newline', { cronJobs: [{ schedule: '* * * * *\n*', command: 'true' }] }, 'cronJobs[0].schedule'],
    ['a cron schedule of 6 fields', { cronJobs: [{ schedule: '* * * * * root', command: 'true' }] }, 'cronJobs[0].schedule'],
    ['an empty cron command', { cronJobs: [{ schedule: '* * * * *', command: '  ' }] }, 'cronJobs[0].command'],
    ['an invalid IP', { ip: '1.2.3.4; rm -rf /' }, 'ip'],
    ['an index page with NUL', { indexPage: 'a\0b' }, 'indexPage'],
    ['a negative sequence', { sequence: -1 }, 'sequence'],
    ['a fractional sequence', { sequence: 1.5 }, 'sequence'],
    ['a limit below -1', { limits: { storageMb: -2 } }, 'limits.storageMb'],
    ['a bad backup mode', { services: { backup: 'maybe' as never } }, 'services.backup'],
  ];
  for (const [what, override, field] of cases) {
    it(`refuses ${what}`, () => {
      const fields = fieldOf(() => desiredState({ ...base, ...override }));
      expect(Object.keys(fields ?? {})).toEqual([field]);
    });
  }

  it('refuses a state tampered with after it was computed', () => {
    const s = desiredState(base);
    const tampered = { ...s, username: 'web1/../../etc' } as DesiredState;
    expect(fieldOf(() => validateDesiredState(tampered))).toHaveProperty('username');
    expect(() => encodeStateForScript(tampered)).toThrow(ValidationError);
    expect(fieldOf(() => validateDesiredState({ ...s, services: { ...s.services, evil: true } }))).toHaveProperty('services.evil');
    expect(fieldOf(() => validateDesiredState({ ...s, format: 'x' }))).toHaveProperty('format');
    expect(fieldOf(() => validateDesiredState(null))).toHaveProperty('state');
  });
});

describe('script encoding', () => {
  it('is base64 of key=value lines with free text base64 again', () => {
    const s = desiredState({ ...base, cronJobs: [{ schedule: '0 3 * * *', command: 'echo "a b" > /dev/null' }], indexPage: 'Hi\n##user##' });
    const b64 = encodeStateForScript(s);
    expect(b64).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    const lines = Buffer.from(b64, 'base64').toString('utf8').trimEnd().split('\n');
    expect(lines).toEqual(stateToScriptLines(s));
    expect(lines).toContain('username=web12');
    expect(lines).toContain('service.backup=no');
    const cron = lines.find((l) => l.startsWith('cron='))!.slice(5).split(' ');
    expect(cron.map((x) => Buffer.from(x, 'base64').toString('utf8'))).toEqual(['0 3 * * *', 'echo "a b" > /dev/null']);
    expect(Buffer.from(lines.find((l) => l.startsWith('index='))!.slice(6), 'base64').toString('utf8')).toBe('Hi\n##user##');
    for (const l of lines) expect(l).toMatch(/^[a-zA-Z0-9.]+=[^\n\r]*$/);
  });
});

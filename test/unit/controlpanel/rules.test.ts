import { describe, expect, it } from 'vitest';
import { allocationDelta, brokenGuards, counterChange, exceededMaximums } from '../../../shared/domain/controlpanel/allocation';
import { normalizeDomain, normalizeDomains } from '../../../shared/domain/controlpanel/domains';
import { checkAgainstReseller, checkServiceRules, fullLimits, fullServices } from '../../../shared/domain/controlpanel/services';
import { renderTags, unknownTags } from '../../../shared/domain/tags';
import { resolveFeatures } from '../../../shared/domain/reseller';
import { HardLimitError } from '../../../shared/domain/errors';

const reseller = (over: Record<string, unknown> = {}) => ({
  limits: { storageMb: 100, users: 5 },
  hardLimits: { storageMb: 150, users: 6 },
  features: resolveFeatures(undefined),
  used: {},
  ...over,
});

describe('service rules', () => {
  const base = { limits: fullLimits(), services: fullServices() };
  it('FrontPage excludes error files and password protection', () => {
    const r = checkServiceRules({ ...base, services: fullServices({ errorFiles: true }), frontPage: true });
    expect(Object.keys(r.errors).sort()).toEqual(['frontPage', 'services.errorFiles']);
    expect(checkServiceRules({ ...base, frontPage: true }).errors).toEqual({});
    expect(checkServiceRules({ ...base, services: fullServices({ passwordProtection: true, errorFiles: true }) }).errors).toEqual({});
  });
  it('additional FTP users need ftp; standard CGI needs cgi; MySQL external needs a database', () => {
    expect(checkServiceRules({ ...base, limits: fullLimits({ ftpUsers: 1 }) }).errors).toHaveProperty(['limits.ftpUsers']);
    expect(checkServiceRules({ ...base, limits: fullLimits({ ftpUsers: -1 }), services: fullServices({ ftp: true }) }).errors).toEqual({});
    expect(checkServiceRules({ ...base, services: fullServices({ standardCgi: true }) }).errors).toHaveProperty(['services.standardCgi']);
    expect(checkServiceRules({ ...base, mysqlExternalAccess: true }).errors).toHaveProperty('mysqlExternalAccess');
  });
  it('shell is allowed with a warning', () => {
    const r = checkServiceRules({ ...base, services: fullServices({ shell: true }) });
    expect(r.errors).toEqual({});
    expect(r.warnings[0]).toMatch(/security risk/);
  });
});

describe('limits against the reseller', () => {
  it('-1 only where both maximum and hard limit are unlimited', () => {
    expect(checkAgainstReseller({ limits: { storageMb: -1 }, services: {} }, reseller())).toHaveProperty(['limits.storageMb']);
    expect(checkAgainstReseller({ limits: { pop3Boxes: -1 }, services: {} }, reseller())).toEqual({});
    expect(checkAgainstReseller({ limits: { pop3Boxes: -1 }, services: {} }, reseller({ hardLimits: { pop3Boxes: 10 } }))).toHaveProperty(['limits.pop3Boxes']);
  });
  it('refuses what is not activated, names the field; 0/off are fine', () => {
    const r = reseller({ features: resolveFeatures({ services: ['ftp'], resources: ['storageMb'] }) });
    expect(checkAgainstReseller({ limits: { cronjobs: 1, storageMb: 1 }, services: { php: true, ftp: true } }, r)).toEqual({
      'limits.cronjobs': expect.any(String),
      'services.php': expect.any(String),
    });
    expect(checkAgainstReseller({ limits: { cronjobs: 0 }, services: { php: false, backup: 'no' } }, r)).toEqual({});
    expect(checkAgainstReseller({ limits: {}, services: { backup: 'yes' } }, r)).toHaveProperty(['services.backup']);
    expect(checkAgainstReseller({ limits: {}, services: {}, mysqlExternalAccess: true }, r)).toHaveProperty('mysqlExternalAccess');
  });
  it('a single value above the hard limit is refused', () => {
    expect(checkAgainstReseller({ limits: { storageMb: 151 }, services: {} }, reseller())).toHaveProperty(['limits.storageMb']);
    expect(checkAgainstReseller({ limits: { storageMb: 150 }, services: {} }, reseller())).toEqual({});
  });
});

describe('counters', () => {
  it('allocation: a users slot and finite values; unlimited takes nothing', () => {
    expect(allocationDelta(undefined, fullLimits({ storageMb: 10, trafficGb: -1 }))).toEqual({ users: 1, storageMb: 10 });
    expect(allocationDelta(fullLimits({ storageMb: 10 }), undefined)).toEqual({ users: -1, storageMb: -10 });
    expect(allocationDelta(fullLimits({ storageMb: 10, pop3Boxes: 3 }), fullLimits({ storageMb: 25, pop3Boxes: 3 }))).toEqual({ storageMb: 15 });
  });
  it('threshold = hard - delta; unlimited only checks it is still unlimited', () => {
    const c = counterChange({ users: 1, storageMb: 20, pop3Boxes: 2 }, reseller({ used: { users: 5, storageMb: 100 } }));
    expect(c.guards).toEqual([
      { name: 'users', delta: 1, hard: 6, threshold: 5 },
      { name: 'storageMb', delta: 20, hard: 150, threshold: 130 },
      { name: 'pop3Boxes', delta: 2, hard: -1 },
    ]);
  });
  it('refuses with HARD_LIMIT naming the field before writing', () => {
    expect(() => counterChange({ users: 1 }, reseller({ used: { users: 6 } }))).toThrow(HardLimitError);
    try {
      counterChange({ storageMb: 200 }, reseller());
    } catch (e) {
      expect((e as HardLimitError).fields).toHaveProperty(['limits.storageMb']);
    }
    expect(() => counterChange({ storageMb: -500 }, reseller({ used: { storageMb: 1000 } }))).not.toThrow();
  });
  it('after a cancelled transaction tells a crossed limit from a moved limit', () => {
    const guards = counterChange({ users: 1 }, reseller({ used: { users: 2 } })).guards;
    expect(brokenGuards(guards, { hardLimits: { users: 6 }, used: { users: 6 } }).over).toHaveProperty('users');
    expect(brokenGuards(guards, { hardLimits: { users: 8 }, used: { users: 6 } })).toEqual({
      over: {},
      limitsChanged: true,
      refreshed: [{ name: 'users', delta: 1, hard: 8, threshold: 7 }],
    });
    expect(brokenGuards(guards, { hardLimits: { users: 6 }, used: { users: 6 } }).limitsChanged).toBe(false);
  });
  it('soft maximums may be exceeded and are reported', () => {
    expect(exceededMaximums({ users: 1, storageMb: 20 }, reseller({ used: { users: 5, storageMb: 10 } }))).toEqual([{ field: 'users', used: 6, max: 5 }]);
  });
});

describe('domains', () => {
  it('lower-cases, converts IDN to punycode, refuses invalid names', () => {
    expect(normalizeDomain('Bücher.DE.')).toEqual({ name: 'xn--bcher-kva.de' });
    expect(normalizeDomain('例え.テスト')).toEqual({ name: 'xn--r8jz45g.xn--zckzah' });
    for (const bad of ['', 'localhost', 'a..b', '-a.com', 'a-.com', 'exa mple.com', 'http://x.com', 'x.123', `${'a'.repeat(64)}.com`, 'user@x.com']) {
      expect(normalizeDomain(bad), bad).toHaveProperty('problem');
    }
  });
  it('names the index of a bad or repeated domain', () => {
    const out = normalizeDomains([{ name: 'a.com', dns: false, dnr: false }, { name: 'A.com', dns: true, dnr: false }, { name: 'x', dns: false, dnr: false }], 'domains');
    expect(out.errors).toEqual({ 'domains[1].name': 'is given twice', 'domains[2].name': expect.any(String) });
  });
});

describe('mail tags', () => {
  it('replaces known tags and finds unknown ones', () => {
    expect(renderTags('Hi ##firstName## (##username##) ##nope##', { firstName: 'A', username: 'web1' })).toBe('Hi A (web1) ##nope##');
    expect(unknownTags('##firstName## ##pasword##')).toEqual(['pasword']);
  });
});

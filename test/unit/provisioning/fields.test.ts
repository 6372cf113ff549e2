import { describe, expect, it } from 'vitest';
import { readProvisionScript } from '../../../infra/provisioning/ssm-document';
import { indexPageSchema } from '../../../shared/domain/provisioning/servers';
import { HOSTED_USERNAME, indexPageHtmlSchema } from '../../../shared/domain/provisioning/fields';
import { desiredState } from '../../../shared/domain/provisioning';
import { ValidationError } from '../../../shared/domain/errors';

/** The value of `NAME='...'` in provision.sh. */
const scriptPattern = (name: string) => {
  const m = new RegExp(`^${name}='([^']*)'$`, 'm').exec(readProvisionScript());
  if (!m) throw new Error(`${name} not found in provision.sh`);
  return m[1];
};

describe('one schema per field for the API and the desired state', () => {
  it('the script checks usernames with the very pattern the API and the state use', () => {
    expect(scriptPattern('RE_USER')).toBe(HOSTED_USERNAME.source);
    const longest = `web${'9'.repeat(12)}`;
    expect(HOSTED_USERNAME.test(longest)).toBe(true);
    expect(() => desiredState({ username: longest, resellerId: 'r1', sequence: 1 })).not.toThrow();
  });

  it('an index page the desired state refuses is refused by the API schema too (NUL byte, size)', () => {
    for (const html of ['<p>\0</p>', 'x'.repeat(32 * 1024 + 1)]) {
      expect(indexPageSchema.safeParse({ html }).success).toBe(false);
      expect(() => desiredState({ username: 'web1', resellerId: 'r1', sequence: 1, indexPage: html })).toThrow(ValidationError);
    }
    expect(indexPageHtmlSchema.safeParse('<p>ok ##user##</p>').success).toBe(true);
  });

  it('a limit the API accepts is one the state accepts, and one it refuses the state refuses', () => {
    const base = { username: 'web1', resellerId: 'r1', sequence: 1 };
    expect(() => desiredState({ ...base, limits: { storageMb: 2_000_000_000 } })).not.toThrow();
    expect(() => desiredState({ ...base, limits: { storageMb: 2_000_000_001 } })).toThrow(/limits.storageMb/);
  });

  it('a domain is valid in the state exactly when it is as the API stores it (normalized)', () => {
    const base = { username: 'web1', resellerId: 'r1', sequence: 1 };
    expect(() => desiredState({ ...base, domains: [{ name: 'xn--bcher-kva.de', dns: false, dnr: false }] })).not.toThrow();
    expect(() => desiredState({ ...base, domains: [{ name: '*.example.com', dns: false, dnr: false }] })).not.toThrow();
    // The API refuses an all-numeric top-level label; so does the state now.
    expect(() => desiredState({ ...base, domains: [{ name: 'example.123', dns: false, dnr: false }] })).toThrow(/domains\[0\].name/);
  });
});

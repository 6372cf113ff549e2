import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { DEFAULT_PASSWORD_POLICY, generatePassword, passwordPolicyFromEnv, passwordProblem } from '../../../shared/domain/password';

describe('password policy', () => {
  it('asks for length, not composition', () => {
    expect(passwordProblem('elevenchars', DEFAULT_PASSWORD_POLICY)).toMatch(/at least 12/);
    expect(passwordProblem('twelve chars', DEFAULT_PASSWORD_POLICY)).toBeUndefined();
    expect(passwordProblem('aaaaaaaaaaaaaaaa', DEFAULT_PASSWORD_POLICY)).toMatch(/repeated/);
    expect(passwordProblem('acme-reseller', DEFAULT_PASSWORD_POLICY, 'ACME-reseller')).toMatch(/username/);
    expect(passwordProblem('x'.repeat(64) + 'y'.repeat(65), DEFAULT_PASSWORD_POLICY)).toMatch(/at most 128/);
  });

  it('lets the operator configure the minimum, never below 8', () => {
    expect(passwordPolicyFromEnv({ PASSWORD_MIN_LENGTH: '16' }).minLength).toBe(16);
    expect(passwordPolicyFromEnv({}).minLength).toBe(12);
    expect(() => passwordPolicyFromEnv({ PASSWORD_MIN_LENGTH: '6' })).toThrow(/8 to 128/);
  });

  it('generates alphanumeric passwords that pass the policy and differ', () => {
    const a = generatePassword((n) => randomBytes(n));
    const b = generatePassword((n) => randomBytes(n));
    expect(a).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(a).not.toBe(b);
    expect(passwordProblem(a, DEFAULT_PASSWORD_POLICY)).toBeUndefined();
  });
});

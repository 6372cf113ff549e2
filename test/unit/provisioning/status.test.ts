import { describe, expect, it } from 'vitest';
import { backoffSeconds, nextAttemptAt, provisioningView } from '../../../shared/domain/provisioning/status';
import { ratePeriodMs } from '../../../infra/local/scheduler';
import { FUNCTIONS } from '../../../infra/functions-manifest';

describe('provisioning backoff', () => {
  it('30 s, 1 min, 2 min … capped at 1 h', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50].map((n) => backoffSeconds(n))).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    expect(nextAttemptAt(new Date('2030-01-01T00:00:00Z'), 2)).toBe('2030-01-01T00:01:00.000Z');
    expect(backoffSeconds(3, { baseSeconds: 1, maxSeconds: 4 })).toBe(4);
  });
  it('a user without a status yet shows pending', () => {
    expect(provisioningView(undefined).status).toBe('pending');
  });
});

describe('local rate jobs', () => {
  it('parses rate expressions and leaves cron ones to the daily runs', () => {
    expect(ratePeriodMs('rate(1 minute)')).toBe(60_000);
    expect(ratePeriodMs('rate(2 hours)')).toBe(7_200_000);
    expect(ratePeriodMs('cron(15 0 * * ? *)')).toBeUndefined();
    const worker = FUNCTIONS.find((f) => f.name === 'provisioning-worker');
    expect(worker?.schedule?.expression).toBe('rate(1 minute)');
    // The data key and the key store: a certificate stored before the key store gets its parameter on its first push.
    expect(worker?.needs).toEqual(['table:read', 'table:write', 'ssm:provision', 'kms:data-key', 'ssm:ssl-keys']);
  });
});

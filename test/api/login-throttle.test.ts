import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { composeFromEnv } from '../../shared/adapters/compose';
import { identityFromEnv } from '../../shared/adapters/identity-from-env';
import { login } from '../../shared/app/auth/login';
import { LOGIN_THROTTLE } from '../../shared/domain/login-throttle';
import { startOwnRuntime, type OwnRuntime } from '../support/own-runtime';

/**
 * Sign-in throttling with the production limits (5 per username, 50 per address per 15 minutes).
 * A runtime of its own: every test client is 127.0.0.1, the shared runtime raises the address limit.
 */
describe('POST /auth/login is throttled per username and per address', () => {
  let own: OwnRuntime;
  beforeAll(async () => {
    own = await startOwnRuntime('throttle');
  }, 120_000);
  afterAll(() => own?.stop());

  /** What a second process on the same table would compose. */
  const secondEnv = () => ({
    ...own.rt.dbEnv,
    IDENTITY_MODE: 'local',
    LOCAL_ISSUER_KEY_FILE: join(own.rt.dataDir, 'identity', 'issuer-key.json'),
    PASSWORD_HASH_COST_LOG2: '10',
  });
  const attempt = (username: string, password: string) => own.call('POST', '/auth/login', { username, password });

  it('refuses the attempts past five for a username with 429 and Retry-After, even the right password; others are not affected', async () => {
    const victim = await own.reseller('victim1');
    await own.reseller('bystander1');
    for (let i = 0; i < LOGIN_THROTTLE.usernameAttempts; i++) expect((await attempt('victim1', `wrong-${i}`)).status).toBe(401);
    const refused = await attempt('victim1', 'wrong-again');
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('TOO_MANY_ATTEMPTS');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(LOGIN_THROTTLE.windowSeconds);
    expect((await attempt('victim1', 'victim1-password-1')).status).toBe(429);
    expect((await attempt('bystander1', 'bystander1-password-1')).status).toBe(200);
    // The token the victim already had still works: only sign-in is throttled.
    expect((await own.call('GET', '/account', undefined, victim.token)).status).toBe(200);
  });

  it('holds across processes: a second composition on the same table sees the count (DynamoDB, not memory)', async () => {
    const second = await composeFromEnv(secondEnv(), { identity: identityFromEnv });
    await expect(login(second, { username: 'victim1', password: 'x', address: '198.51.100.7' })).rejects.toMatchObject({ code: 'TOO_MANY_ATTEMPTS' });
  });

  it('a storm of 48 parallel bad logins hashes at most the free attempts; the rest are refused before any hash', async () => {
    await own.reseller('storm1');
    const answers = await Promise.all(Array.from({ length: 48 }, (_, i) => attempt('storm1', `bad-${i}`)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(LOGIN_THROTTLE.usernameAttempts);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(48 - LOGIN_THROTTLE.usernameAttempts);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
  });

  it('refuses an address past 50 failed attempts in the window, whatever username it tries; a success gives its attempt back', async () => {
    // The HTTP clients of this test are all 127.0.0.1 (already past the limit by now); another
    // address, through the same use case on the same table, as a second process would.
    const second = await composeFromEnv(secondEnv(), { identity: identityFromEnv });
    const address = '203.0.113.9';
    const good = { username: 'bystander1', password: 'bystander1-password-1', address };
    for (let i = 0; i < 5; i++) expect(await login(second, good)).toHaveProperty('token');
    for (let i = 0; i < LOGIN_THROTTLE.addressAttempts; i++) {
      await expect(login(second, { username: `nobody${i}`, password: 'whatever-password', address })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    }
    await expect(login(second, { username: 'nobody-next', password: 'whatever-password', address })).rejects.toMatchObject({ code: 'TOO_MANY_ATTEMPTS' });
    await expect(login(second, good)).rejects.toMatchObject({ code: 'TOO_MANY_ATTEMPTS' });
    // The same user from another address signs in.
    expect(await login(second, { ...good, address: '203.0.113.10' })).toHaveProperty('token');
  });
});

import { describe, expect, it } from 'vitest';
import { hashPassword, passwordHashCostFromEnv, verifyPassword } from '../../../shared/adapters/local/password-hash';

describe('the password hash cost', () => {
  it('is N=2^15 unless the local test runtime lowers it, and the variable is refused anywhere else', async () => {
    expect((await hashPassword('a-password')).split('$')[1]).toBe(String(2 ** 15));
    expect(() => passwordHashCostFromEnv({ PASSWORD_HASH_COST_LOG2: '10' })).toThrow(/local test runtime only/);
    expect(() => passwordHashCostFromEnv({ PASSWORD_HASH_COST_LOG2: '10', IDENTITY_MODE: 'cognito', DYNAMODB_ENDPOINT: 'http://x' })).toThrow(/local test runtime only/);
    const local = { IDENTITY_MODE: 'local', DYNAMODB_ENDPOINT: 'http://127.0.0.1:1' };
    for (const bad of ['9', '16', '1e1', 'x']) expect(() => passwordHashCostFromEnv({ ...local, PASSWORD_HASH_COST_LOG2: bad })).toThrow(/10\.\.15/);
    const strong = await hashPassword('a-password');
    passwordHashCostFromEnv({ ...local, PASSWORD_HASH_COST_LOG2: '10' });
    const cheap = await hashPassword('a-password');
    expect(cheap.split('$')[1]).toBe('1024');
    // The parameters travel in the hash: both verify whatever the current cost.
    expect(await verifyPassword('a-password', strong)).toBe(true);
    expect(await verifyPassword('a-password', cheap)).toBe(true);
    expect(await verifyPassword('wrong', cheap)).toBe(false);
    passwordHashCostFromEnv({ ...local, PASSWORD_HASH_COST_LOG2: '15' });
  });
});

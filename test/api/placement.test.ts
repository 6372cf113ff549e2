import { describe, expect, it } from 'vitest';
import { api, newReseller, newUser, operator } from '../support/api';

describe('placement of new users on hosting servers', () => {
  it('moves on to the next server when the first fills up between the choice and the transaction', async () => {
    const op = await operator();
    const tag = Date.now().toString(36);
    const [a, b] = [`pa-${tag}`, `pb-${tag}`];
    for (const id of [a, b]) {
      const res = await api('POST', '/operator/servers', { token: op, body: { id, name: id, instanceId: 'mi-0123456789abcdef0', addresses: ['198.51.100.9'], capacity: 1 } });
      expect(res.status).toBe(201);
    }
    const owner = await newReseller();
    expect((await api('PUT', `/operator/resellers/${owner.id}/servers`, { token: op, body: { serverIds: [a, b] } })).status).toBe(200);
    // Both creates read "a has room"; the loser of a's last slot goes to b instead of failing.
    const users = await Promise.all([newUser(owner), newUser(owner)]);
    expect(users.map((u) => u.serverId).sort()).toEqual([a, b].sort());
    // Both full now: a third create is refused with a clear conflict and changes nothing.
    const third = await api('POST', '/users', { token: owner.token, body: { limits: { storageMb: 10 }, personal: { firstName: 'T', lastName: 'U', email: 't@example.com' } } });
    expect(third.status).toBe(409);
    expect(third.body.error.code).toBe('NO_SERVER');
    expect((await api('GET', '/users', { token: owner.token })).body.items).toHaveLength(2);
  });
});

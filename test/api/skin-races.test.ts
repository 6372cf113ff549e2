/**
 * Skins under races (issue 8): the limit of 50 holds against parallel creates (a counter item in
 * the skin's own transaction), and a skin that users wear, or that is the reseller's own design,
 * cannot be deleted (409 SKIN_IN_USE naming how many wear it) — also while a user or the reseller
 * switches to it at that very moment: nobody ends up wearing a skin that is gone.
 */
import { describe, expect, it } from 'vitest';
import { api, newReseller, newUser, type TestReseller } from '../support/api';

const skins = async (r: TestReseller) => (await api('GET', '/skins', { token: r.token })).body.items as { name: string }[];
const exists = async (r: TestReseller, name: string) => (await api('GET', `/skins/${name}`, { token: r.token })).status === 200;

describe('the skin limit under parallel creates', () => {
  it('30 parallel POST /skins at 46 skins: exactly 4 are created, the rest 409 naming the limit, the list shows 50', async () => {
    const r = await newReseller();
    for (let i = 0; i < 46; i += 8) {
      const batch = Array.from({ length: Math.min(8, 46 - i) }, (_, j) => api('POST', '/skins', { token: r.token, body: { name: `s${i + j}`, from: 'ocean' } }));
      for (const res of await Promise.all(batch)) expect(res.status).toBe(201);
    }
    expect(await skins(r)).toHaveLength(46);
    const out = await Promise.all(
      Array.from({ length: 30 }, (_, i) => api('POST', '/skins', { token: r.token, body: { name: `p${i}`, from: 'classic' } })),
    );
    const created = out.filter((res) => res.status === 201);
    const refused = out.filter((res) => res.status !== 201);
    expect(created).toHaveLength(4);
    for (const res of refused) {
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('TOO_MANY_SKINS');
      expect(res.body.error.message).toMatch(/50/);
    }
    expect(await skins(r)).toHaveLength(50);
    // A delete frees a place for exactly one more.
    expect((await api('DELETE', '/skins/s0', { token: r.token })).status).toBe(204);
    const again = await Promise.all([0, 1, 2].map((i) => api('POST', '/skins', { token: r.token, body: { name: `q${i}`, from: 'ocean' } })));
    expect(again.map((res) => res.status).sort()).toEqual([201, 409, 409]);
    expect(await skins(r)).toHaveLength(50);
  });
});

describe('deleting a skin that is worn', () => {
  it('refuses with 409 SKIN_IN_USE naming how many users wear it; frees it once they switch or are deleted', async () => {
    const r = await newReseller();
    expect((await api('POST', '/skins', { token: r.token, body: { name: 'worn', from: 'forest' } })).status).toBe(201);
    const a = await newUser(r, { design: 'worn' });
    const b = await newUser(r);
    expect((await api('PATCH', `/users/${b.username}`, { token: r.token, body: { design: 'worn' } })).status).toBe(200);

    const inUse = await api('DELETE', '/skins/worn', { token: r.token });
    expect(inUse.status).toBe(409);
    expect(inUse.body.error.code).toBe('SKIN_IN_USE');
    expect(inUse.body.error.message).toMatch(/2 users/);
    expect(inUse.body.error.fields).toEqual({ skinName: expect.stringMatching(/2 users/) });
    expect(await exists(r, 'worn')).toBe(true);

    // A design that is neither built in nor a skin of the reseller is refused naming the field.
    const unknown = await api('PATCH', `/users/${b.username}`, { token: r.token, body: { design: 'no-such-skin' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields).toHaveProperty('design');
    const unknownNew = await api('POST', '/users', {
      token: r.token,
      body: { limits: { storageMb: 10 }, design: 'no-such-skin', personal: { firstName: 'N', lastName: 'O', email: 'n@example.com' } },
    });
    expect(unknownNew.status).toBe(400);
    expect(unknownNew.body.error.fields).toHaveProperty('design');

    // Changing something else keeps the count; switching away and deleting the user release it.
    expect((await api('PATCH', `/users/${b.username}`, { token: r.token, body: { language: 'de' } })).status).toBe(200);
    expect((await api('PATCH', `/users/${b.username}`, { token: r.token, body: { design: 'ocean' } })).status).toBe(200);
    const one = await api('DELETE', '/skins/worn', { token: r.token });
    expect(one.status).toBe(409);
    expect(one.body.error.message).toMatch(/1 user\b/);
    expect((await api('DELETE', `/users/${a.username}`, { token: r.token })).status).toBeLessThan(300);
    expect((await api('DELETE', '/skins/worn', { token: r.token })).status).toBe(204);
    expect(await exists(r, 'worn')).toBe(false);
  });

  it('a user switching to the skin while it is deleted never ends up wearing a skin that is gone', async () => {
    const r = await newReseller();
    const users = await Promise.all([0, 1, 2].map(() => newUser(r)));
    for (let trial = 0; trial < 6; trial++) {
      const name = `race${trial}`;
      expect((await api('POST', '/skins', { token: r.token, body: { name, from: 'ocean' } })).status).toBe(201);
      const [del, ...switches] = await Promise.all([
        api('DELETE', `/skins/${name}`, { token: r.token }),
        ...users.map((u) => api('PATCH', `/users/${u.username}`, { token: r.token, body: { design: name } })),
      ]);
      for (const s of switches) expect([200, 400]).toContain(s.status);
      const wearing = [];
      for (const u of users) {
        const v = (await api('GET', `/users/${u.username}`, { token: r.token })).body;
        if (v.design === name) wearing.push(u.username);
      }
      if (del.status === 204) {
        expect(wearing).toEqual([]);
        expect(await exists(r, name)).toBe(false);
      } else {
        expect(del.status).toBe(409);
        expect(del.body.error.code).toBe('SKIN_IN_USE');
        expect(wearing.length).toBeGreaterThan(0);
        expect(await exists(r, name)).toBe(true);
      }
      for (const u of users) expect((await api('PATCH', `/users/${u.username}`, { token: r.token, body: { design: 'default' } })).status).toBe(200);
    }
  });

  it("the reseller's own design: choosing it while it is deleted leaves a design that exists", async () => {
    const r = await newReseller();
    for (let trial = 0; trial < 6; trial++) {
      const name = `mine${trial}`;
      expect((await api('POST', '/skins', { token: r.token, body: { name, from: 'classic' } })).status).toBe(201);
      const [del, choose] = await Promise.all([
        api('DELETE', `/skins/${name}`, { token: r.token }),
        api('PUT', '/account/preferences', { token: r.token, body: { design: name } }),
      ]);
      const design = (await api('GET', '/account', { token: r.token })).body.preferences.design;
      if (del.status === 204) {
        expect(choose.status).toBe(400);
        expect(choose.body.error.fields).toHaveProperty('design');
        expect(design).not.toBe(name);
      } else {
        expect(del.status).toBe(409);
        expect(del.body.error.code).toBe('SKIN_IN_USE');
        expect(choose.status).toBe(200);
        expect(design).toBe(name);
        expect((await api('PUT', '/account/preferences', { token: r.token, body: { design: 'default' } })).status).toBe(200);
      }
    }
  });
});

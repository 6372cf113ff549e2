import { describe, expect, it } from 'vitest';
import { RESELLER_LIMIT_NAMES } from '../../shared/domain/catalog';
import { api, newReseller } from '../support/api';

describe('GET /account', () => {
  it('shows every resource with used, max, hard and exceeded', async () => {
    const r = await newReseller({ limits: { users: 4, storageMb: 500, trafficGb: -1 }, hardLimits: { users: 6 } });
    const res = await api('GET', '/account', { token: r.token });
    expect(res.status).toBe(200);
    expect(res.body.username).toBe(r.username);
    expect(Object.keys(res.body.resources).sort()).toEqual([...RESELLER_LIMIT_NAMES].sort());
    expect(res.body.resources.users).toEqual({ used: 0, max: 4, hard: 6, exceeded: false });
    expect(res.body.resources.storageMb).toEqual({ used: 0, max: 500, hard: -1, exceeded: false });
    expect(res.body.resources.trafficGb.hard).toBe(-1);
  });
});

describe('preferences', () => {
  it('stores language and design, and refuses unknown values', async () => {
    const r = await newReseller();
    const ok = await api('PUT', '/account/preferences', { token: r.token, body: { language: 'de', design: 'ocean' } });
    expect(ok).toEqual({ status: 200, body: { language: 'de', design: 'ocean' } });
    const bad = await api('PUT', '/account/preferences', { token: r.token, body: { language: 'klingon' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toHaveProperty('language');
    expect((await api('GET', '/account', { token: r.token })).body.preferences).toEqual({ language: 'de', design: 'ocean' });
  });
});

describe('message log', () => {
  it('lists newest first, filters by type and pages with a cursor', async () => {
    const r = await newReseller();
    // A password change writes a notice; three of them give us something to page through.
    let pw = r.password;
    for (const next of ['first-new-password', 'second-new-password', 'third-new-password']) {
      const res = await api('POST', '/account/password', { token: r.token, body: { oldPassword: pw, newPassword: next, newPasswordRepeat: next } });
      expect(res.status).toBe(204);
      pw = next;
    }
    const all = await api('GET', '/account/messages?limit=2', { token: r.token });
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(2);
    expect(all.body.items[0].at >= all.body.items[1].at).toBe(true);
    const rest = await api('GET', `/account/messages?limit=2&cursor=${all.body.nextCursor}`, { token: r.token });
    expect(rest.body.items).toHaveLength(1);
    const notices = await api('GET', '/account/messages?type=notice', { token: r.token });
    expect(notices.body.items).toHaveLength(3);
    const errors = await api('GET', '/account/messages?type=error', { token: r.token });
    expect(errors.body.items).toEqual([]);
    const bad = await api('GET', '/account/messages?type=gossip', { token: r.token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toHaveProperty('type');
  });
});

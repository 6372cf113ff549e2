/**
 * Two changes of different fields of one item, sent at the same time: both take effect, or one is
 * 409 CONCURRENT_CHANGE (and then the other's effect is there). Never two 200s with one undone.
 */
import { describe, expect, it } from 'vitest';
import { fullLimits } from '../../shared/domain/controlpanel/services';
import { api, newReseller, operator } from '../support/api';

const TRIALS = 15;

describe('no lost updates', () => {
  it('PUT /templates/{id} and PUT /templates/{id}/registration-email at once keep both', async () => {
    const r = await newReseller();
    const t = await api('POST', '/templates', { token: r.token, body: { name: 'race', limits: { storageMb: 10 } } });
    for (let i = 0; i < TRIALS; i++) {
      const [put, mail] = await Promise.all([
        api('PUT', `/templates/${t.body.id}`, { token: r.token, body: { name: `race${i}`, limits: fullLimits({ storageMb: 10 + i }) } }),
        api('PUT', `/templates/${t.body.id}/registration-email`, { token: r.token, body: { subject: `Hello ${i}`, text: 'Welcome ##username##' } }),
      ]);
      for (const res of [put, mail]) expect([200, 409]).toContain(res.status);
      const now = await api('GET', `/templates/${t.body.id}`, { token: r.token });
      const email = await api('GET', `/templates/${t.body.id}/registration-email`, { token: r.token });
      if (put.status === 200) expect(now.body.limits.storageMb).toBe(10 + i);
      if (mail.status === 200) expect(email.body.subject).toBe(`Hello ${i}`);
    }
  }, 120_000);

  it('two operator PATCHes of different limits at once keep both', async () => {
    const r = await newReseller({ limits: { users: 50, storageMb: 1000, trafficGb: -1 } });
    const op = await operator();
    for (let i = 0; i < TRIALS; i++) {
      const [a, b] = await Promise.all([
        api('PATCH', `/operator/resellers/${r.id}`, { token: op, body: { limits: { users: 60 + i } } }),
        api('PATCH', `/operator/resellers/${r.id}`, { token: op, body: { limits: { storageMb: 2000 + i } } }),
      ]);
      for (const res of [a, b]) expect([200, 409]).toContain(res.status);
      const now = (await api('GET', `/operator/resellers/${r.id}`, { token: op })).body;
      if (a.status === 200) expect(now.limits.users).toBe(60 + i);
      if (b.status === 200) expect(now.limits.storageMb).toBe(2000 + i);
    }
  }, 120_000);

  it('PUT /templates/{id} that leaves a limit out is 400 naming it and changes nothing', async () => {
    const r = await newReseller();
    const t = await api('POST', '/templates', { token: r.token, body: { name: 'keep', limits: { storageMb: 10, trafficGb: 3 } } });
    const res = await api('PUT', `/templates/${t.body.id}`, { token: r.token, body: { name: 'keep2', limits: { storageMb: 20 } } });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toHaveProperty(['limits.trafficGb']);
    const now = await api('GET', `/templates/${t.body.id}`, { token: r.token });
    expect(now.body).toMatchObject({ name: 'keep', limits: { storageMb: 10, trafficGb: 3 } });
  });
});

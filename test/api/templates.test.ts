import { describe, expect, it } from 'vitest';
import { api, newReseller } from '../support/api';
import { fullLimits } from '../../shared/domain/controlpanel/services';

describe('templates', () => {
  it('create, list with a cursor, view, change, delete', async () => {
    const r = await newReseller();
    const a = await api('POST', '/templates', { token: r.token, body: { name: 'small', limits: { storageMb: 100 }, services: { ftp: true, backup: 'upload' } } });
    expect(a.status).toBe(201);
    expect(a.body.id).toMatch(/^t[a-f0-9]{20}$/);
    expect(a.body.limits).toMatchObject({ storageMb: 100, pop3Boxes: 0 });
    expect(Object.keys(a.body.limits)).toHaveLength(12);
    expect(a.body.services).toMatchObject({ ftp: true, php: false, backup: 'upload' });
    const b = await api('POST', '/templates', { token: r.token, body: { name: 'big', limits: { storageMb: 1000 } } });
    expect(b.status).toBe(201);
    const page1 = await api('GET', '/templates?limit=1', { token: r.token });
    expect(page1.body.items).toHaveLength(1);
    const page2 = await api('GET', `/templates?limit=1&cursor=${page1.body.nextCursor}`, { token: r.token });
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.items[0].id).not.toBe(page1.body.items[0].id);
    const put = await api('PUT', `/templates/${a.body.id}`, { token: r.token, body: { name: 'small2', limits: fullLimits({ storageMb: 150 }) } });
    expect(put.status).toBe(200);
    expect(put.body.services.ftp).toBe(false);
    expect((await api('GET', `/templates/${a.body.id}`, { token: r.token })).body.name).toBe('small2');
    expect((await api('DELETE', `/templates/${a.body.id}`, { token: r.token })).status).toBe(204);
    expect((await api('GET', `/templates/${a.body.id}`, { token: r.token })).status).toBe(404);
    expect((await api('DELETE', `/templates/${a.body.id}`, { token: r.token })).status).toBe(404);
    const msgs = await api('GET', '/account/messages', { token: r.token });
    expect(msgs.body.items.map((m: any) => m.text)).toContain('template "small2" changed');
  });

  it('validates limits and services against the reseller, naming the field', async () => {
    const r = await newReseller({
      limits: { users: 5, storageMb: 100, trafficGb: -1 },
      hardLimits: { storageMb: 200 },
      features: { services: ['ftp', 'php', 'errorFiles'], resources: ['storageMb', 'trafficGb', 'ftpUsers'] },
    });
    const bad: [unknown, string][] = [
      [{ name: 'x', limits: { storageMb: 2.5 } }, 'limits.storageMb'],
      [{ name: 'x', limits: { storageMb: -3 } }, 'limits.storageMb'],
      [{ name: 'x', limits: { storageMb: -1 } }, 'limits.storageMb'],
      [{ name: 'x', limits: { storageMb: 201 } }, 'limits.storageMb'],
      [{ name: 'x', limits: { pop3Boxes: 1 } }, 'limits.pop3Boxes'],
      [{ name: 'x', services: { shell: true } }, 'services.shell'],
      [{ name: 'x', services: { nope: true } }, 'services.nope'],
      [{ name: 'x', services: { backup: 'sometimes' } }, 'services.backup'],
      [{ name: 'x', limits: { ftpUsers: 2 } }, 'limits.ftpUsers'],
      [{ name: '' }, 'name'],
    ];
    for (const [body, field] of bad) {
      const res = await api('POST', '/templates', { token: r.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.fields, JSON.stringify(body)).toHaveProperty([field]);
    }
    expect((await api('GET', '/templates', { token: r.token })).body.items).toEqual([]);
    const ok = await api('POST', '/templates', { token: r.token, body: { name: 'ok', limits: { trafficGb: -1, storageMb: 0, pop3Boxes: 0 } } });
    expect(ok.status).toBe(201);
  });

  it('flags shell access as a security risk', async () => {
    const r = await newReseller();
    const res = await api('POST', '/templates', { token: r.token, body: { name: 'shell', services: { shell: true } } });
    expect(res.status).toBe(201);
    expect(res.body.warnings[0]).toMatch(/security risk/);
  });

  it('keeps a registration e-mail per template and a default one, refusing unknown tags', async () => {
    const r = await newReseller();
    const t = await api('POST', '/templates', { token: r.token, body: { name: 'mail' } });
    const def = await api('GET', `/templates/${t.body.id}/registration-email`, { token: r.token });
    expect(def.body.isDefault).toBe(true);
    expect(def.body.tags).toContain('##password##');
    const bad = await api('PUT', `/templates/${t.body.id}/registration-email`, { token: r.token, body: { subject: 'Hi', text: '##pasword##' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toHaveProperty('text');
    const put = await api('PUT', `/templates/${t.body.id}/registration-email`, { token: r.token, body: { subject: 'Hi ##firstName##', text: 'Login ##username## / ##password##' } });
    expect(put.status).toBe(200);
    expect((await api('GET', `/templates/${t.body.id}/registration-email`, { token: r.token })).body).toMatchObject({ subject: 'Hi ##firstName##', isDefault: false });
    const d = await api('PUT', '/registration-email', { token: r.token, body: { subject: 'Welcome', text: 'Your login: ##username##' } });
    expect(d.status).toBe(200);
    expect((await api('GET', '/registration-email', { token: r.token })).body.subject).toBe('Welcome');
  });
});

import { describe, expect, inject, it } from 'vitest';
import { api, newReseller, newUser } from '../support/api';

async function mailsTo(address: string): Promise<any[]> {
  const res = await fetch(`${inject('sesUrl')}/store`);
  const store = (await res.json()) as { emails: any[] };
  return store.emails.filter((e) => e.destination.to.includes(address));
}

describe('registration e-mail and circulars', () => {
  it('sendEmail sends the default registration e-mail at once with the tags replaced', async () => {
    const r = await newReseller();
    const email = `${r.username}.default@example.com`;
    const u = await newUser(r, { personal: { firstName: 'Ada', lastName: 'Lovelace', email }, sendEmail: true, domains: [{ name: `${r.username}-ada.example.com` }] });
    expect(u.emailSent).toBe(true);
    const mails = await mailsTo(email);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe(`Your hosting account ${u.username}`);
    expect(mails[0].body.text).toContain(`Username: ${u.username}`);
    expect(mails[0].body.text).toContain(`Password: ${u.password}`);
    expect(mails[0].body.text).toContain('Hello Ada Lovelace');
    expect(mails[0].body.text).toContain(`${r.username}-ada.example.com`);
  });

  it("uses the template's e-mail, or the reseller's default one", async () => {
    const r = await newReseller();
    const t = await api('POST', '/templates', { token: r.token, body: { name: 'pkg' } });
    await api('PUT', `/templates/${t.body.id}/registration-email`, { token: r.token, body: { subject: 'Welcome ##firstName##', text: 'Login ##username## pw ##password## (##template##)' } });
    const email = `${r.username}.tpl@example.com`;
    const u = await newUser(r, { template: t.body.id, limits: {}, services: {}, personal: { firstName: 'Bo', lastName: 'X', email }, sendEmail: true, password: 'a-given-long-password' });
    const [m] = await mailsTo(email);
    expect(m.subject).toBe('Welcome Bo');
    expect(m.body.text).toBe(`Login ${u.username} pw a-given-long-password (pkg)`);
    await api('PUT', '/registration-email', { token: r.token, body: { subject: 'Hi from ##reseller##', text: '##username##' } });
    const email2 = `${r.username}.def@example.com`;
    const u2 = await newUser(r, { personal: { firstName: 'C', lastName: 'D', email: email2 }, sendEmail: true });
    const [m2] = await mailsTo(email2);
    expect(m2.subject).toBe(`Hi from ${r.username}`);
    expect(m2.body.text).toBe(u2.username);
    const quiet = `${r.username}.quiet@example.com`;
    await newUser(r, { personal: { firstName: 'Q', lastName: 'Q', email: quiet } });
    expect(await mailsTo(quiet)).toEqual([]);
  });

  it('sends a circular to all users except the excluded ones', async () => {
    const r = await newReseller();
    const addrs = [1, 2, 3].map((i) => `${r.username}.c${i}@example.com`);
    const users = [];
    for (const email of addrs) users.push(await newUser(r, { personal: { firstName: `N${email.slice(-13, -12)}`, lastName: 'L', email } }));
    const res = await api('POST', '/circulars', { token: r.token, body: { subject: 'Maintenance', text: 'Dear ##firstName##, downtime on Sunday.', exclude: [users[1].username] } });
    expect(res.status).toBe(200);
    expect(res.body.sent).toBe(2);
    expect((await mailsTo(addrs[0] as string))[0].body.text).toMatch(/^Dear N\w*, downtime on Sunday\.$/);
    expect(await mailsTo(addrs[1] as string)).toEqual([]);
    expect(await mailsTo(addrs[2] as string)).toHaveLength(1);
  });
});

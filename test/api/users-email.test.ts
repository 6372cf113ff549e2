import { describe, expect, it } from 'vitest';
import { api, newReseller, newUser } from '../support/api';
import { eventually, mailsTo, settled } from '../support/mail';

const oneMailTo = (address: string) => eventually(async () => {
  const m = await mailsTo(address);
  return m.length ? m : undefined;
}, 20_000, `mail to ${address}`);

describe('registration e-mail through the outbox', () => {
  it('sendEmail queues the default registration e-mail; it is sent with the tags replaced and recorded as sent', async () => {
    const r = await newReseller();
    const email = `${r.username}.default@example.com`;
    const u = await newUser(r, { personal: { firstName: 'Ada', lastName: 'Lovelace', email }, sendEmail: true, domains: [{ name: `${r.username}-ada.example.com` }] });
    expect(u.registrationEmail).toEqual({ messageId: expect.stringMatching(/^m-/), status: 'queued' });
    const out = await settled(r, u.registrationEmail.messageId);
    const mails = await oneMailTo(email);
    expect(mails).toHaveLength(1);
    expect(out).toMatchObject({ status: 'sent', kind: 'registration', username: u.username, to: email, sesMessageId: mails[0]!.messageId });
    expect(mails[0]!.subject).toBe(`Your hosting account ${u.username}`);
    expect(mails[0]!.body.text).toContain(`Username: ${u.username}`);
    expect(mails[0]!.body.text).toContain(`Password: ${u.password}`);
    expect(mails[0]!.body.text).toContain('Hello Ada Lovelace');
    expect(mails[0]!.body.text).toContain(`${r.username}-ada.example.com`);
    expect(mails[0]!.replyTo).toEqual([`${r.username}@example.com`]);
  });

  it("uses the template's e-mail, or the reseller's default one", async () => {
    const r = await newReseller();
    const t = await api('POST', '/templates', { token: r.token, body: { name: 'pkg' } });
    await api('PUT', `/templates/${t.body.id}/registration-email`, { token: r.token, body: { subject: 'Welcome ##firstName##', text: 'Login ##username## pw ##password## (##template##)' } });
    const email = `${r.username}.tpl@example.com`;
    const u = await newUser(r, { template: t.body.id, limits: {}, services: {}, personal: { firstName: 'Bo', lastName: 'X', email }, sendEmail: true, password: 'a-given-long-password' });
    const [m] = await oneMailTo(email);
    expect(m!.subject).toBe('Welcome Bo');
    expect(m!.body.text).toBe(`Login ${u.username} pw a-given-long-password (pkg)`);
    await api('PUT', '/registration-email', { token: r.token, body: { subject: 'Hi from ##reseller##', text: '##username##' } });
    const email2 = `${r.username}.def@example.com`;
    const u2 = await newUser(r, { personal: { firstName: 'C', lastName: 'D', email: email2 }, sendEmail: true });
    const [m2] = await oneMailTo(email2);
    expect(m2!.subject).toBe(`Hi from ${r.username}`);
    expect(m2!.body.text).toBe(u2.username);
    const quiet = `${r.username}.quiet@example.com`;
    const q = await newUser(r, { personal: { firstName: 'Q', lastName: 'Q', email: quiet } });
    expect(q.registrationEmail).toBeUndefined();
    expect(await mailsTo(quiet)).toEqual([]);
  });

  it('sends the e-mail again later with the text changed for that one send, never with an old password', async () => {
    const r = await newReseller();
    const email = `${r.username}.again@example.com`;
    const u = await newUser(r, { personal: { firstName: 'Eve', lastName: 'E', email }, password: 'the-first-long-password' });
    // The default e-mail uses ##password##: the panel keeps only a hash, so it needs a new password.
    const refused = await api('POST', `/users/${u.username}/registration-email`, { token: r.token, body: {} });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields.newPassword).toMatch(/##password## needs newPassword: true/);
    const tag = await api('POST', `/users/${u.username}/registration-email`, { token: r.token, body: { text: 'pw ##password##' } });
    expect(tag.status).toBe(400);
    expect(tag.body.error.fields.text).toMatch(/##password## needs newPassword/);
    const badTag = await api('POST', `/users/${u.username}/registration-email`, { token: r.token, body: { text: '##usrname##' } });
    expect(badTag.status).toBe(400);
    expect(badTag.body.error.fields.text).toMatch(/unknown tag ##usrname##/);
    const badTo = await api('POST', `/users/${u.username}/registration-email`, { token: r.token, body: { text: 'x', to: 'not-an-address' } });
    expect(badTo.status).toBe(400);
    expect(badTo.body.error.fields.to).toBeDefined();
    expect(await mailsTo(email)).toEqual([]);

    const once = await api('POST', `/users/${u.username}/registration-email`, { token: r.token, body: { subject: 'Your login, ##firstName##', text: 'Login: ##username##' } });
    expect(once.status).toBe(202);
    expect(once.body).toEqual({ messageId: expect.stringMatching(/^m-/), status: 'queued', to: email });
    await settled(r, once.body.messageId);
    const fresh = await api('POST', `/users/${u.username}/registration-email`, { token: r.token, body: { newPassword: true } });
    expect(fresh.status).toBe(202);
    expect(fresh.body.password).toMatch(/^[A-Za-z0-9]{20}$/);
    await settled(r, fresh.body.messageId);
    const mails = await mailsTo(email);
    expect(mails.map((m) => m.subject).sort()).toEqual(['Your hosting account ' + u.username, 'Your login, Eve'].sort());
    const withPassword = mails.find((m) => m.subject.startsWith('Your hosting'))!;
    expect(withPassword.body.text).toContain(`Password: ${fresh.body.password}`);
    expect(mails.every((m) => !m.body.text?.includes('the-first-long-password'))).toBe(true);
    // The new password is the user's now.
    expect((await api('POST', `/users/${u.username}/registration-email`, { token: r.token, body: { text: 'x', to: `${r.username}.other@example.com` } })).status).toBe(202);
  });
});

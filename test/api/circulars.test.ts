import { describe, expect, it } from 'vitest';
import { api, newReseller, newUser } from '../support/api';
import { circularDone, eventually, mailsTo, sesStore } from '../support/mail';

describe('circulars: compose, review, send in the background', () => {
  it('answers 202, sends each user one e-mail with the tags replaced, leaves out the excluded, and reports progress', async () => {
    const r = await newReseller();
    const users = [];
    for (const i of [1, 2, 3]) users.push(await newUser(r, { personal: { firstName: `N${i}`, lastName: 'L', email: `${r.username}.c${i}@example.com` }, domains: [{ name: `${r.username}-c${i}.example.com` }] }));
    const review = await api('GET', '/circulars/recipients?limit=10', { token: r.token });
    expect(review.status).toBe(200);
    expect(review.body.items.map((u: any) => [u.username, u.mailStatus, u.willReceive])).toEqual(users.map((u) => [u.username, 'ok', true]));
    const res = await api('POST', '/circulars', { token: r.token, body: { subject: 'Maintenance for ##username##', text: 'Dear ##firstName## (##domain##), downtime on Sunday.', exclude: [users[1].username] } });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: expect.any(String), status: 'preparing' });
    const done = await circularDone(r, res.body.id);
    expect(done).toMatchObject({ status: 'done', recipients: 2, sent: 2, failed: 0, remaining: 0, excluded: 1, skipped: 0, failures: [] });
    const m1 = await mailsTo(`${r.username}.c1@example.com`);
    expect(m1.map((m) => [m.subject, m.body.text])).toEqual([[`Maintenance for ${users[0].username}`, `Dear N1 (${r.username}-c1.example.com), downtime on Sunday.`]]);
    expect(await mailsTo(`${r.username}.c2@example.com`)).toEqual([]);
    expect(await mailsTo(`${r.username}.c3@example.com`)).toHaveLength(1);
    const list = await api('GET', '/circulars', { token: r.token });
    expect(list.body.items.map((c: any) => [c.id, c.status, c.sent])).toEqual([[res.body.id, 'done', 2]]);
    const log = await eventually(async () => {
      const l = await api('GET', '/account/messages?limit=50', { token: r.token });
      return l.body.items?.find((m: any) => /circular "Maintenance for ##username##" sent to 2 users/.test(m.text));
    }, 10_000, 'circular notice');
    expect(log.type).toBe('notice');
  });

  it('a simulator bounce marks the user, the next circular skips them, a new address clears the mark', async () => {
    const r = await newReseller();
    const ok = await newUser(r, { personal: { firstName: 'Ok', lastName: 'L', email: `${r.username}.ok@example.com` } });
    const bouncy = await newUser(r, { personal: { firstName: 'Bo', lastName: 'L', email: 'bounce@simulator.amazonses.com' } });
    const first = await api('POST', '/circulars', { token: r.token, body: { subject: `First ${r.username}`, text: 'Hello ##firstName##' } });
    expect((await circularDone(r, first.body.id)).sent).toBe(2);
    const marked = await eventually(async () => {
      const u = await api('GET', `/users/${bouncy.username}`, { token: r.token });
      return u.body.mailStatus === 'bounced' ? u.body : undefined;
    }, 15_000, 'bounce marked');
    expect(marked.mailStatusDetail.reason).toMatch(/Permanent\/General: smtp; 550 5.1.1 user unknown/);
    expect((await api('GET', `/users/${ok.username}`, { token: r.token })).body.mailStatus).toBe('ok');
    const log = await api('GET', '/account/messages?type=error&limit=50', { token: r.token });
    expect(log.body.items.some((m: any) => m.text.includes('bounce@simulator.amazonses.com bounced'))).toBe(true);
    const review = await api('GET', '/circulars/recipients', { token: r.token });
    expect(review.body.items.find((u: any) => u.username === bouncy.username)).toMatchObject({ mailStatus: 'bounced', willReceive: false });

    const before = (await mailsTo('bounce@simulator.amazonses.com')).length;
    const second = await api('POST', '/circulars', { token: r.token, body: { subject: `Second ${r.username}`, text: 'Hello again' } });
    expect(await circularDone(r, second.body.id)).toMatchObject({ recipients: 1, sent: 1, skipped: 1 });
    expect((await sesStore()).filter((m) => m.subject === `Second ${r.username}`).map((m) => m.destination.to)).toEqual([[`${r.username}.ok@example.com`]]);
    expect((await mailsTo('bounce@simulator.amazonses.com')).length).toBe(before);

    const changed = await api('PATCH', `/users/${bouncy.username}`, { token: r.token, body: { personal: { email: `${r.username}.new@example.com` } } });
    expect(changed.status).toBe(200);
    expect(changed.body.mailStatus).toBe('ok');
  });

  it('a complaint from the simulator marks the user as complained', async () => {
    const r = await newReseller();
    const u = await newUser(r, { personal: { firstName: 'C', lastName: 'L', email: 'complaint@simulator.amazonses.com' } });
    const c = await api('POST', '/circulars', { token: r.token, body: { subject: `C ${r.username}`, text: 'x' } });
    await circularDone(r, c.body.id);
    await eventually(async () => ((await api('GET', `/users/${u.username}`, { token: r.token })).body.mailStatus === 'complained' ? true : undefined), 15_000, 'complaint marked');
  });

  it('refuses bad input with a 4xx naming the field and writes nothing', async () => {
    const r = await newReseller();
    const u = await newUser(r, { personal: { firstName: 'B', lastName: 'L', email: `${r.username}.b@example.com` } });
    const cases: [unknown, string, RegExp][] = [
      [{ subject: '   ', text: 'x' }, 'subject', /is required/],
      [{ subject: 'a\nb', text: 'x' }, 'subject', /one line/],
      [{ subject: 'Hi ##frstName##', text: 'x' }, 'subject', /unknown tag ##frstName##/],
      [{ subject: 'Hi', text: 'your password: ##password##' }, 'text', /unknown tag ##password##/],
      [{ subject: 'Hi', text: 'x'.repeat(200 * 1024 + 1) }, 'text', /at most 204800 bytes/],
      [{ subject: 'Hi', text: 'x', exclude: ['web999999999'] }, 'exclude[0]', /is not one of your users/],
      [{ subject: 'Hi', text: 'x', exclude: [u.username, 'alice'] }, 'exclude.1', /hosted username/],
      [{ subject: 'Hi', text: 'x', exclude: [u.username, u.username] }, 'exclude.1', /listed twice/],
    ];
    for (const [body, field, reason] of cases) {
      const res = await api('POST', '/circulars', { token: r.token, body });
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.error.fields[field], `${field} of ${JSON.stringify(res.body.error.fields)}`).toMatch(reason);
    }
    expect((await api('GET', '/circulars', { token: r.token })).body.items).toEqual([]);
    await new Promise((res) => setTimeout(res, 1500));
    expect(await mailsTo(`${r.username}.b@example.com`)).toEqual([]);
  });
});

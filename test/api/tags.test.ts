import { describe, expect, it } from 'vitest';
import { api, newReseller } from '../support/api';

/** One ##tag## check for every text that uses tags (shared/domain/tags.ts). */
describe('##tags## are checked wherever they are saved', () => {
  it('the index page takes ##user## and refuses any other tag, naming the field, writing nothing', async () => {
    const r = await newReseller();
    const ok = await api('PUT', '/settings/index-page', { token: r.token, body: { html: '<h1>##user##</h1>' } });
    expect(ok.status).toBe(202);
    const bad = await api('PUT', '/settings/index-page', { token: r.token, body: { html: '<h1>##username## ##user##</h1>' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.html).toMatch(/unknown tag ##username##; known: ##user##/);
    expect((await api('GET', '/settings/index-page', { token: r.token })).body.html).toBe('<h1>##user##</h1>');
  });

  it('a registration e-mail refuses an unknown tag in subject or text', async () => {
    const r = await newReseller();
    const bad = await api('PUT', '/registration-email', { token: r.token, body: { subject: 'Hi ##frstName##', text: '##user##' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.subject).toMatch(/##frstName##/);
    expect(bad.body.error.fields.text).toMatch(/##user##/);
    expect((await api('GET', '/registration-email', { token: r.token })).body.isDefault).toBe(true);
  });
});

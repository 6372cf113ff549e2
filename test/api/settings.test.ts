import { describe, expect, it } from 'vitest';
import { api, newReseller } from '../support/api';

import { gif } from '../support/gif';

describe('settings: skins', () => {
  it('creates a skin from a built-in design or another skin, adjusts colors and uploads a logo', async () => {
    const r = await newReseller();
    const list = await api('GET', '/skins', { token: r.token });
    expect(list.body.builtIn).toContain('ocean');
    expect(list.body.items).toEqual([]);

    const created = await api('POST', '/skins', { token: r.token, body: { name: 'acme', from: 'ocean' } });
    expect(created.status).toBe(201);
    expect(created.body.colors.menuBackground).toBe('#0b4f6c');
    const copy = await api('POST', '/skins', { token: r.token, body: { name: 'acme-copy', from: 'acme' } });
    expect(copy.body.basedOn).toBe('acme');
    expect((await api('POST', '/skins', { token: r.token, body: { name: 'acme', from: 'classic' } })).status).toBe(409);
    const unknownBase = await api('POST', '/skins', { token: r.token, body: { name: 'x1', from: 'nope' } });
    expect(unknownBase.status).toBe(400);
    expect(unknownBase.body.error.fields).toHaveProperty('from');
    const builtInName = await api('POST', '/skins', { token: r.token, body: { name: 'ocean', from: 'classic' } });
    expect(builtInName.body.error.fields).toHaveProperty('name');

    const colors = await api('PATCH', '/skins/acme', { token: r.token, body: { colors: { highlight: '#123456' } } });
    expect(colors.body.colors).toMatchObject({ highlight: '#123456', menuBackground: '#0b4f6c' });
    const badColor = await api('PATCH', '/skins/acme', { token: r.token, body: { colors: { highlight: 'blue' } } });
    expect(badColor.status).toBe(400);
    expect(badColor.body.error.fields).toHaveProperty('colors.highlight');

    expect((await api('PATCH', '/skins/acme', { token: r.token, body: { logoGif: gif(158, 67) } })).body.hasLogo).toBe(true);
    const wrongSize = await api('PATCH', '/skins/acme', { token: r.token, body: { logoGif: gif(200, 67) } });
    expect(wrongSize.status).toBe(400);
    expect(wrongSize.body.error.fields.logoGif).toMatch(/158x67/);
    const notGif = await api('PATCH', '/skins/acme', { token: r.token, body: { logoGif: Buffer.from('\x89PNG....').toString('base64') } });
    expect(notGif.body.error.fields.logoGif).toMatch(/GIF/);
    expect((await api('GET', '/skins/acme', { token: r.token })).body.logoGif).toBe(gif(158, 67));
  });

  it('lets a skin be the default design, and refuses to delete it while it is', async () => {
    const r = await newReseller();
    await api('POST', '/skins', { token: r.token, body: { name: 'house', from: 'forest' } });
    expect((await api('PUT', '/account/preferences', { token: r.token, body: { design: 'house' } })).status).toBe(200);
    const unknown = await api('PUT', '/account/preferences', { token: r.token, body: { design: 'no-such-skin' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields).toHaveProperty('design');
    const inUse = await api('DELETE', '/skins/house', { token: r.token });
    expect(inUse.status).toBe(409);
    expect(inUse.body.error.code).toBe('SKIN_IN_USE');
    await api('PUT', '/account/preferences', { token: r.token, body: { design: 'default' } });
    expect((await api('DELETE', '/skins/house', { token: r.token })).status).toBe(204);
    expect((await api('GET', '/skins/house', { token: r.token })).status).toBe(404);
  });
});

describe('settings: help page', () => {
  it("stores the help page shown in users' interface and refuses an oversized one", async () => {
    const r = await newReseller();
    expect((await api('GET', '/settings/help-page', { token: r.token })).body).toEqual({ html: '' });
    const html = '<p>Call us: +49 30 1234</p>';
    expect((await api('PUT', '/settings/help-page', { token: r.token, body: { html } })).status).toBe(200);
    expect((await api('GET', '/settings/help-page', { token: r.token })).body).toEqual({ html });
    const big = await api('PUT', '/settings/help-page', { token: r.token, body: { html: 'x'.repeat(40 * 1024) } });
    expect(big.status).toBe(400);
    expect(big.body.error.fields).toHaveProperty('html');
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importJWK, SignJWT, type JWK } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import { CLAIMS, TOKEN_AUDIENCE_LOCAL } from '../../shared/adapters/claims';
import { LOCAL_ISSUER } from '../../shared/adapters/local/local-issuer';
import { api, newReseller, operator } from '../support/api';

/** A token signed with the shared runtime's own issuer key, with the claims we choose. */
async function forge(claims: Record<string, unknown>, times: { iat?: number; exp?: number }) {
  const { privateJwk } = JSON.parse(readFileSync(join(inject('dataDir'), 'identity', 'issuer-key.json'), 'utf8')) as { privateJwk: JWK };
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).setIssuer(LOCAL_ISSUER).setAudience(TOKEN_AUDIENCE_LOCAL).setSubject(String(claims[CLAIMS.username]));
  if (times.iat !== undefined) jwt = jwt.setIssuedAt(times.iat);
  if (times.exp !== undefined) jwt = jwt.setExpirationTime(times.exp);
  return jwt.sign(await importJWK(privateJwk, 'ES256'));
}

const now = () => Math.floor(Date.now() / 1000);

describe('tokens', () => {
  it('refuses a correctly signed token without exp, or with an absurd lifetime (401)', async () => {
    const r = await newReseller();
    const claims = { [CLAIMS.username]: r.username, [CLAIMS.groups]: ['reseller'], [CLAIMS.resellerId]: r.id };
    const good = await forge(claims, { iat: now(), exp: now() + 600 });
    expect((await api('GET', '/account', { token: good })).status).toBe(200);
    for (const token of [
      await forge(claims, { iat: now() }),
      await forge(claims, {}),
      await forge(claims, { iat: now(), exp: now() + 10 * 365 * 86_400 }),
      await forge(claims, { exp: now() + 600 }),
    ]) {
      const res = await api('GET', '/account', { token });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
    }
  });
});

describe('a locked reseller', () => {
  it('is refused at once (403 ACCOUNT_LOCKED) with the token it already holds, until unlocked', async () => {
    const r = await newReseller();
    const op = await operator();
    expect((await api('POST', '/templates', { token: r.token, body: { name: 'before lock', limits: { storageMb: 10 } } })).status).toBe(201);
    expect((await api('POST', `/operator/resellers/${r.id}/lock`, { token: op })).status).toBe(200);

    for (const [method, path, body] of [
      ['GET', '/account', undefined],
      ['POST', '/templates', { name: 'while locked', limits: { storageMb: 10 } }],
      ['POST', '/users', { limits: { storageMb: 10 }, services: { ftp: true }, personal: { firstName: 'L', lastName: 'L', email: 'l@example.com' } }],
      ['GET', '/templates', undefined],
    ] as const) {
      const res = await api(method, path, { token: r.token, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe('ACCOUNT_LOCKED');
    }
    expect((await api('POST', '/auth/login', { body: { username: r.username, password: r.password } })).status).toBe(401);

    expect((await api('POST', `/operator/resellers/${r.id}/unlock`, { token: op })).status).toBe(200);
    const templates = await api('GET', '/templates', { token: r.token });
    expect(templates.status).toBe(200);
    expect(templates.body.items.map((t: { name: string }) => t.name)).toEqual(['before lock']);
    expect((await api('GET', '/users', { token: r.token })).body.items).toEqual([]);
  });
});

describe('response headers', () => {
  it('every answer carries nosniff and the JSON API headers, from the handler and from the local edge', async () => {
    const r = await newReseller();
    const answers = [
      await api('GET', '/health'),
      await api('GET', '/account', { token: r.token }),
      await api('GET', '/account'), // 401 from the authorizer
      await api('GET', '/no-such-route', { token: r.token }), // 404 from the router
      await api('POST', '/templates', { token: r.token, body: { name: '' } }), // 400
    ];
    for (const res of answers) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });
});

describe('request content types', () => {
  it('refuses a body that is not application/json (415 naming content-type) and takes JSON with a utf-8 charset', async () => {
    const r = await newReseller();
    const body = JSON.stringify({ name: 'ct', limits: { storageMb: 10 } });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'application/jsonx']) {
      const res = await api('POST', '/templates', { token: r.token, rawBody: body, headers: { 'content-type': type } });
      expect(res.status, type).toBe(415);
      expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(Object.keys(res.body.error.fields)).toEqual(['content-type']);
    }
    // A Blob without a type: fetch sends no content type at all.
    const none = await api('POST', '/templates', { token: r.token, rawBody: new Blob([body]) });
    expect(none.status).toBe(415);
    expect((await api('GET', '/templates', { token: r.token })).body.items).toEqual([]);
    const ok = await api('POST', '/templates', { token: r.token, rawBody: body, headers: { 'content-type': 'Application/JSON; charset=UTF-8' } });
    expect(ok.status).toBe(201);
    // No body needs no content type (a lock, a delete).
    expect((await api('DELETE', `/templates/${ok.body.id}`, { token: r.token })).status).toBe(204);
  });
});

describe('the dev clock takes bounded moves only', () => {
  it('refuses advanceDays 1e300, negative, fractional or past 3660 days (400 naming the field) and keeps working', async () => {
    const op = await operator();
    const before = (await api('GET', '/__dev/clock', { token: op })).body.now;
    for (const advanceDays of [1e300, -1, 1.5, 3661, '1']) {
      const res = await api('POST', '/__dev/clock', { token: op, body: { advanceDays } });
      expect(res.status, String(advanceDays)).toBe(400);
      expect(Object.keys(res.body.error.fields)).toEqual(['advanceDays']);
    }
    const far = await api('POST', '/__dev/clock', { token: op, body: { to: '+275000-01-01T00:00:00Z' } });
    expect(far.status).toBe(400);
    expect(Object.keys(far.body.error.fields)).toEqual(['to']);
    const text = await api('POST', '/__dev/clock', { token: op, rawBody: '{"advanceDays":0}', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    const after = await api('GET', '/__dev/clock', { token: op });
    expect(after.status).toBe(200);
    expect(Date.parse(after.body.now)).toBeGreaterThanOrEqual(Date.parse(before));
    expect((await api('GET', '/health')).status).toBe(200);
  });
});

describe('help and index pages keep to the HTML allowlist', () => {
  const bad = [
    '<script>alert(1)</script>',
    '<p onclick="alert(1)">x</p>',
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<svg onload=alert(1)>',
    '<scr<script>ipt>alert(1)</script>',
  ];
  it('refuses scripts, event handlers and javascript: URLs naming html; stores a plain page as it is', async () => {
    const r = await newReseller();
    for (const html of bad) {
      const help = await api('PUT', '/settings/help-page', { token: r.token, body: { html } });
      expect(help.status, html).toBe(400);
      expect(Object.keys(help.body.error.fields)).toEqual(['html']);
      const index = await api('PUT', '/settings/index-page', { token: r.token, body: { html } });
      expect(index.status, html).toBe(400);
      expect(Object.keys(index.body.error.fields)).toEqual(['html']);
    }
    expect((await api('GET', '/settings/help-page', { token: r.token })).body.html).toBe('');
    const page =
      '<!DOCTYPE html><html><head><title>Hi</title><style>body { color: #222 }</style></head>' +
      '<body><h1>Welcome ##user##</h1><p class="x">Mail <a href="mailto:help@acme.example">us</a> or see <a href="/docs#top">docs</a>.</p>' +
      '<img src="https://acme.example/logo.gif" alt="logo" width="158"><!-- note --></body></html>';
    expect((await api('PUT', '/settings/index-page', { token: r.token, body: { html: page } })).status).toBe(202); // accepted: the change reaches the users through a run
    const help = '<p>Support: <a href="https://acme.example/help" target="_blank">help</a> 2 &lt; 3</p>';
    expect((await api('PUT', '/settings/help-page', { token: r.token, body: { html: help } })).status).toBe(200);
    expect((await api('GET', '/settings/help-page', { token: r.token })).body.html).toBe(help);
  });
});

describe('skin logos', () => {
  it('a truncated GIF is a 400 naming logoGif, not a 500', async () => {
    const r = await newReseller();
    expect((await api('POST', '/skins', { token: r.token, body: { name: 'trunc', from: 'default' } })).status).toBe(201);
    for (const logoGif of ['R0lGODlh', 'R0lGODlhngBDAA==', Buffer.from('GIF89a').toString('base64')]) {
      const res = await api('PATCH', '/skins/trunc', { token: r.token, body: { logoGif } });
      expect(res.status, logoGif).toBe(400);
      expect(Object.keys(res.body.error.fields)).toEqual(['logoGif']);
    }
  });
});

import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { LocalIssuer } from '../../shared/adapters/local/local-issuer';
import { claimsFor } from '../../shared/adapters/claims';
import { api, login, newReseller, operator } from '../support/api';

const issuerKeyFile = () => join(inject('dataDir'), 'identity', 'issuer-key.json');

describe('POST /auth/login', () => {
  it('gives a token for good credentials and the same 401 for a wrong password or an unknown user', async () => {
    const r = await newReseller();
    const ok = await api('POST', '/auth/login', { body: { username: r.username, password: r.password } });
    expect(ok.status).toBe(200);
    expect(typeof ok.body.token).toBe('string');
    expect(ok.body.expiresIn).toBe(3600);

    const wrong = await api('POST', '/auth/login', { body: { username: r.username, password: 'not-the-password' } });
    const unknown = await api('POST', '/auth/login', { body: { username: 'nobody-here', password: 'not-the-password' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
  });

  it('names the field for a malformed login request', async () => {
    const res = await api('POST', '/auth/login', { body: { username: 'x' } });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toHaveProperty('password');
    const junk = await api('POST', '/auth/login', { rawBody: '{"username":', headers: { 'content-type': 'application/json' } });
    expect(junk.status).toBe(400);
    expect(junk.body.error.fields).toEqual({ body: 'is not valid JSON' });
  });
});

describe('bearer tokens', () => {
  it('refuses a missing, malformed, forged or expired token with 401', async () => {
    const r = await newReseller();
    expect((await api('GET', '/account')).status).toBe(401);
    expect((await api('GET', '/account', { token: 'not-a-jwt' })).status).toBe(401);

    // Same claims, signed by a key the server does not trust.
    const forger = await LocalIssuer.loadOrCreate(join(mkdtempSync(join(tmpdir(), 'forger-')), 'k.json'));
    const forged = await forger.sign(r.username, claimsFor({ role: 'operator', username: 'operator' }), new Date());
    expect((await api('GET', '/operator/resellers', { token: forged })).status).toBe(401);

    // The server's own key, but the token ran out an hour ago.
    const issuer = await LocalIssuer.loadOrCreate(issuerKeyFile(), 60);
    const expired = await issuer.sign(r.username, claimsFor({ role: 'reseller', username: r.username, resellerId: r.id }), new Date(Date.now() - 3600_000));
    const res = await api('GET', '/account', { token: expired });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');

    // And a fresh one from the same key works, so the refusals above were about the token.
    const fresh = await issuer.sign(r.username, claimsFor({ role: 'reseller', username: r.username, resellerId: r.id }), new Date());
    expect((await api('GET', '/account', { token: fresh })).status).toBe(200);
  });

  it('answers 403 to a reseller on operator routes and to the operator on reseller routes', async () => {
    const r = await newReseller();
    expect((await api('GET', '/operator/resellers', { token: r.token })).status).toBe(403);
    expect((await api('GET', '/account', { token: await operator() })).status).toBe(403);
  });

  it('answers 404 and 405 in the error format behind the authorizer', async () => {
    const r = await newReseller();
    const unknown = await api('GET', '/nope', { token: r.token });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
    const wrong = await api('DELETE', '/account', { token: r.token });
    expect(wrong.status).toBe(405);
  });
});

describe('POST /account/password', () => {
  it('changes the password after checking the old one and the repetition', async () => {
    const r = await newReseller();
    const mismatch = await api('POST', '/account/password', {
      token: r.token,
      body: { oldPassword: r.password, newPassword: 'a-much-better-secret', newPasswordRepeat: 'a-much-better-secreT' },
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.fields).toEqual({ newPasswordRepeat: 'does not match newPassword' });

    const short = await api('POST', '/account/password', {
      token: r.token,
      body: { oldPassword: r.password, newPassword: 'short', newPasswordRepeat: 'short' },
    });
    expect(short.status).toBe(400);
    expect(short.body.error.fields.newPassword).toMatch(/at least 12/);

    const wrongOld = await api('POST', '/account/password', {
      token: r.token,
      body: { oldPassword: 'wrong-old-password', newPassword: 'a-much-better-secret', newPasswordRepeat: 'a-much-better-secret' },
    });
    expect(wrongOld.status).toBe(400);
    expect(wrongOld.body.error.fields).toHaveProperty('oldPassword');
    // Nothing changed: the old password still signs in.
    await login(r.username, r.password);

    const ok = await api('POST', '/account/password', {
      token: r.token,
      body: { oldPassword: r.password, newPassword: 'a-much-better-secret', newPasswordRepeat: 'a-much-better-secret' },
    });
    expect(ok.status).toBe(204);
    await expect(login(r.username, r.password)).rejects.toThrow();
    await login(r.username, 'a-much-better-secret');
  });
});

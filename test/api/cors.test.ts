import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime } from '../../infra/local/runtime';
import { api, apiUrl, operator } from '../support/api';
import { request, type ApiResponse } from '../support/http';
import { startOwnRuntime, type OwnRuntime } from '../support/own-runtime';

/**
 * CORS (issue 11): the origins of CORS_ORIGINS may call the API from a browser page; the local
 * server answers what API Gateway's corsPreflight answers (test/infra/cors.test.ts for that side).
 */
const SHOP = 'https://shop.example.com';
const DEV = 'http://localhost:5173';
const OTHER = 'https://evil.example.net';

function corsHeaders(res: ApiResponse): Record<string, string> {
  const out: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (name.startsWith('access-control-')) out[name] = value;
  });
  return out;
}
const preflight = (base: string, origin: string, path = '/users', method = 'POST') =>
  request(base, 'OPTIONS', path, {
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type, idempotency-key' },
  });

describe('CORS with CORS_ORIGINS set', () => {
  let own: OwnRuntime;
  beforeAll(async () => {
    own = await startOwnRuntime('cors', undefined, { backgroundJobs: false, env: { CORS_ORIGINS: `${SHOP}, ${DEV}` } });
  }, 120_000);
  afterAll(() => own?.stop());

  it('answers a preflight from an allowed origin 204 without a token, with the methods, headers and Max-Age', async () => {
    for (const [origin, path, method] of [[SHOP, '/users', 'POST'], [DEV, '/users/web1', 'PATCH'], [SHOP, '/auth/login', 'POST']] as const) {
      const res = await preflight(own.rt.url, origin, path, method);
      expect(res.status, `${origin} ${method} ${path}`).toBe(204);
      expect(res.body).toBeUndefined();
      expect(corsHeaders(res)).toEqual({
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE',
        'access-control-allow-headers': 'authorization, content-type, idempotency-key',
        'access-control-max-age': '3600',
      });
      expect(res.headers.get('vary')).toBe('Origin');
    }
  });

  it('gives another origin no CORS headers: its preflight is refused like any request without a token', async () => {
    const res = await preflight(own.rt.url, OTHER);
    expect(res.status).toBe(401);
    expect(corsHeaders(res)).toEqual({});
    // An origin is matched exactly: no prefix, no other scheme or port.
    for (const near of ['https://shop.example.com.evil.net', 'http://shop.example.com', 'http://localhost:5174']) {
      expect(corsHeaders(await preflight(own.rt.url, near)), near).toEqual({});
    }
  });

  it('puts Access-Control-Allow-Origin and Vary: Origin on the answers to an allowed origin, errors included', async () => {
    const ok = await request(own.rt.url, 'GET', '/users', { token: (await own.reseller('corsres')).token, headers: { origin: SHOP } });
    expect(ok.status).toBe(200);
    expect(corsHeaders(ok)).toEqual({ 'access-control-allow-origin': SHOP, 'access-control-expose-headers': 'retry-after, content-disposition, idempotent-replayed' });
    expect(ok.headers.get('vary')).toBe('Origin');
    // The page can read why it was refused: the authorizer's 401, a validation 400.
    const noToken = await request(own.rt.url, 'GET', '/users', { headers: { origin: DEV } });
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('access-control-allow-origin')).toBe(DEV);
    const bad = await request(own.rt.url, 'POST', '/auth/login', { body: { username: '' }, headers: { origin: SHOP } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('access-control-allow-origin')).toBe(SHOP);
  });

  it('gives the answers to another origin, and to no origin, no Access-Control-Allow-Origin (Vary: Origin still)', async () => {
    for (const headers of [{ origin: OTHER }, {}] as Record<string, string>[]) {
      const res = await request(own.rt.url, 'GET', '/health', { headers });
      expect(res.status).toBe(200);
      expect(corsHeaders(res)).toEqual({});
      expect(res.headers.get('vary')).toBe('Origin');
    }
  });
});

describe('CORS by default (no CORS_ORIGINS)', () => {
  it('answers no preflight and sends no CORS headers', async () => {
    const res = await request(apiUrl(), 'OPTIONS', '/users', {
      headers: { origin: SHOP, 'access-control-request-method': 'GET' },
    });
    expect(res.status).toBe(401);
    expect(corsHeaders(res)).toEqual({});
    const actual = await api('GET', '/operator/resellers', { token: await operator(), headers: { origin: SHOP } });
    expect(actual.status).toBe(200);
    expect(corsHeaders(actual)).toEqual({});
    expect(actual.headers.get('vary')).toBeNull();
  });

  it('refuses to start with a CORS_ORIGINS entry that is not an origin, naming it', async () => {
    await expect(startRuntime({ dataDir: '/nonexistent', port: 0, sesPort: 0, dynamoPort: 0, env: { CORS_ORIGINS: `${SHOP},*` } })).rejects.toThrow(
      'CORS_ORIGINS: "*" is not an origin',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { api } from '../support/api';

describe('health and OpenAPI', () => {
  it('answers 200 on /health without a token', async () => {
    const res = await api('GET', '/health');
    expect(res).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('serves an OpenAPI document that lists every route of the table', async () => {
    const { ROUTES } = await import('../../functions/http/routes');
    const res = await api('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    for (const r of ROUTES) {
      expect(res.body.paths[r.path]?.[r.method.toLowerCase()], `${r.method} ${r.path}`).toBeDefined();
    }
    // The request schema comes from the validator: a field the validator knows shows up.
    const create = res.body.paths['/operator/resellers'].post.requestBody.content['application/json'].schema;
    expect(create.properties.limits.properties.storageMb.minimum).toBe(-1);
    expect(create.additionalProperties).toBe(false);
  });

  it('answers 404 for an unknown route and 405 for a wrong method, in the error format', async () => {
    const unknown = await api('GET', '/nope', { token: 'x' });
    expect(unknown.status).toBe(401); // like API Gateway: unknown routes sit behind the authorizer
    const wrong = await api('DELETE', '/health');
    expect(wrong.status).toBe(401);
  });
});

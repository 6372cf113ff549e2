/**
 * Crafted page cursors on every paged route (driven by the route table: every GET route whose query
 * takes a `cursor`): garbage, a key outside the list's prefix, a missing key, a GSI key without the
 * table keys, extra or non-string attributes. Each answers 400 naming `cursor`, never a 500.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ROUTES } from '../../functions/http/routes';
import { api, newReseller, operator } from '../support/api';
import { FIXTURES } from '../support/fixtures';

const paramNames = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
const takesCursor = (q: unknown) => !!q && typeof q === 'object' && 'shape' in q && 'cursor' in ((q as z.ZodObject).shape as object);

const paged = ROUTES.filter((r) => r.method === 'GET' && takesCursor(r.query));

describe('crafted page cursors', () => {
  it('the route table has the paged lists of the issue', () => {
    const paths = paged.map((r) => r.path);
    for (const p of ['/users', '/templates', '/account/messages', '/operator/resellers', '/stats/users', '/users/{username}/billing/ledger']) {
      expect(paths).toContain(p);
    }
  });

  it('every paged route answers 400 naming cursor for a crafted one', async () => {
    const owner = await newReseller();
    const R = `R#${owner.id}`;
    const crafted = [
      '!!!not-base64!!!',
      'Zm9vYmFy', // base64 of "foobar": not JSON
      b64([1, 2]),
      b64({ PK: R, SK: 'ZZZ#outside-every-list' }),
      b64({ PK: R }),
      b64({ PK: R, SK: 5 }),
      b64({ PK: R, SK: 'USER#web1', extra: 'x' }),
      b64({ GSI1PK: 'RESELLERS', GSI1SK: 'zzz' }),
      b64({ GSI1PK: `${R}#USERS#enabled`, GSI1SK: 'web1' }),
      'A'.repeat(5000),
    ];
    const params: Record<string, string> = {};
    for (const route of paged) {
      const token = route.access === 'operator' ? await operator() : owner.token;
      for (const n of paramNames(route.path)) {
        const fixture = FIXTURES[n];
        if (!fixture) throw new Error(`no fixture for {${n}} of ${route.path}: add one to test/support/fixtures.ts`);
        params[n] ??= await fixture(owner, params);
      }
      const path = route.path.replace(/\{(\w+)\}/g, (_m, n: string) => encodeURIComponent(params[n] as string));
      // The crafted reads of one route at once (they change nothing and do not depend on each other).
      const tries = crafted.flatMap((cursor) => (path === '/users' ? ['', '&status=enabled', '&domain=example', '&search=web'] : ['']).map((extra) => ({ cursor, extra })));
      const answers = await Promise.all(tries.map(({ cursor, extra }) => api('GET', `${path}?cursor=${encodeURIComponent(cursor)}${extra}`, { token })));
      tries.forEach(({ cursor, extra }, i) => {
        const res = answers[i]!;
        // A list behind a resource that needs more (the ledger of a user without billing) may answer 404 first.
        if (res.status === 404) return;
        expect(res.status, `${route.path}${extra} ${cursor.slice(0, 60)}`).toBe(400);
        expect(res.body.error.fields, `${route.path}${extra}`).toHaveProperty('cursor');
      });
    }
  }, 180_000);

  it('the ledger refuses crafted cursors of its own account', async () => {
    const owner = await newReseller();
    const t = await api('POST', '/templates', { token: owner.token, body: { name: 'cur', limits: { storageMb: 10 } } });
    await api('PUT', `/templates/${t.body.id}/plan`, { token: owner.token, body: { plan: { name: 'C', resources: { mailbox_quota: { free: '1', recurrent: '1' } } } } });
    const u = await api('POST', '/users', { token: owner.token, body: { limits: { storageMb: 10 }, personal: { firstName: 'C', lastName: 'U', email: 'c@example.com' } } });
    const user = u.body.username as string;
    expect((await api('POST', `/users/${user}/billing`, { token: owner.token, body: { templateId: t.body.id } })).status).toBe(201);
    const partition = `R#${owner.id}#LEDGER#${user}`;
    for (const c of [b64({ PK: partition }), b64({ PK: partition, SK: 1 }), b64({ GSI1PK: partition, GSI1SK: 'x' }), 'garbage*']) {
      const res = await api('GET', `/users/${user}/billing/ledger?cursor=${encodeURIComponent(c)}`, { token: owner.token });
      expect(res.status).toBe(400);
      expect(res.body.error.fields).toHaveProperty('cursor');
    }
    // A cursor the API issued still works.
    const ok = await api('GET', `/users/${user}/billing/ledger?cursor=${b64({ PK: partition, SK: '0000' })}`, { token: owner.token });
    expect(ok.status).toBe(200);
  });
});

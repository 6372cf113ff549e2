/**
 * runIdempotent over the DynamoDB store on DynamoDB Local: 5xx answers are not kept (the client may
 * retry), 4xx are; a claim is the request's own (a stale owner can neither complete nor release it).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { localDocumentClient } from '../support/local-db';
import { DynamoIdempotencyStore } from '../../shared/adapters/dynamodb/idempotency-store';
import { runIdempotent } from '../../shared/app/idempotency';
import { LEASE_MS } from '../../shared/domain/idempotency';
import type { Principal } from '../../shared/ports/identity';

const store = () => new DynamoIdempotencyStore(localDocumentClient(), inject('tableName'));
const actor = (): Principal => ({ role: 'reseller', username: 'r', resellerId: `idem${randomUUID().slice(0, 8)}` });
let now = Date.parse('2027-03-01T00:00:00Z');
const deps = () => ({ idempotency: store(), clock: { now: () => new Date(now) } });

describe('runIdempotent on DynamoDB Local', () => {
  it('a 5xx is not kept: the repeat does the work again; a thrown error neither', async () => {
    const d = deps();
    const who = actor();
    let runs = 0;
    const fails = async () => ({ status: 503, body: `{"n":${++runs}}` });
    expect((await runIdempotent(d, who, 'k1', 'fp', fails)).status).toBe(503);
    expect((await runIdempotent(d, who, 'k1', 'fp', fails)).replayed).toBe(false);
    expect(runs).toBe(2);
    await expect(runIdempotent(d, who, 'k2', 'fp', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const ok = await runIdempotent(d, who, 'k2', 'fp', async () => ({ status: 201, body: '{"ok":true}' }));
    expect(ok).toEqual({ status: 201, body: '{"ok":true}', replayed: false });
  });

  it('a 4xx is kept and replayed', async () => {
    const d = deps();
    const who = actor();
    let runs = 0;
    const refused = async () => ({ status: 409, body: `{"n":${++runs}}` });
    await runIdempotent(d, who, 'k', 'fp', refused);
    expect(await runIdempotent(d, who, 'k', 'fp', refused)).toEqual({ status: 409, body: '{"n":1}', replayed: true });
    expect(runs).toBe(1);
  });

  it('a claim taken over after its lease: the late first request neither completes nor releases it', async () => {
    const s = store();
    const tenant = `idem${randomUUID().slice(0, 8)}`;
    const first = await s.claim(tenant, 'k', 'fp', now);
    expect(first.claimed).toBe(true);
    expect((await s.claim(tenant, 'k', 'fp', now + 1)).claimed).toBe(false);
    const second = await s.claim(tenant, 'k', 'fp', now + LEASE_MS + 1);
    expect(second.claimed).toBe(true);
    if (!first.claimed || !second.claimed) return;
    await s.complete(tenant, 'k', first.token, { status: 201, body: '"late"' }, now + LEASE_MS + 2);
    await s.release(tenant, 'k', first.token);
    await s.complete(tenant, 'k', second.token, { status: 201, body: '"second"' }, now + LEASE_MS + 3);
    const seen = await s.claim(tenant, 'k', 'fp', now + LEASE_MS + 4);
    expect(seen).toEqual({ claimed: false, decision: { kind: 'replay', response: { status: 201, body: '"second"' } } });
  });
});

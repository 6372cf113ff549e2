/** GET /operator/runs and /operator/runs/{id}: the operator reads runs with their exact counts. */
import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { createDocumentClient, localClientConfig } from '../../shared/adapters/dynamodb/client';
import { DynamoRunStore } from '../../shared/adapters/dynamodb/run-store';
import { api, operator } from '../support/api';

const store = new DynamoRunStore(createDocumentClient(localClientConfig(inject('dynamoEndpoint'), inject('dynamoCredentials'))), inject('tableName'));

describe('operator runs', () => {
  it('lists runs of a kind and day and shows one with its counts and status', async () => {
    const kind = `api${randomBytes(3).toString('hex')}`;
    const id = `${kind}-2033-02-01`;
    await store.start({ id, kind, day: '2033-02-01', planParts: 1, startedAt: '2033-02-01T00:15:00.000Z' });
    await store.setPlanned(id, 'all', 2);
    await store.record(id, [{ unit: 'a', outcome: 'done' }]);
    const token = await operator();
    const one = await api('GET', `/operator/runs/${id}`, { token });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id, kind, day: '2033-02-01', status: 'running', planned: 2, done: 1, failed: 0, finishedAt: null });
    await store.record(id, [{ unit: 'b', outcome: 'failed' }]);
    await store.finishIfComplete(id, '2033-02-01T00:20:00.000Z');
    const list = await api('GET', `/operator/runs?kind=${kind}&day=2033-02-01`, { token });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([expect.objectContaining({ id, status: 'finished', done: 1, failed: 1, finishedAt: '2033-02-01T00:20:00.000Z' })]);
  });

  it('answers 404 for an unknown run and 400 naming the field for a bad id or filter', async () => {
    const token = await operator();
    expect((await api('GET', '/operator/runs/billing-1999-01-01', { token })).status).toBe(404);
    const bad = await api('GET', '/operator/runs/NOT..valid', { token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toHaveProperty('runId');
    const badDay = await api('GET', '/operator/runs?day=yesterday', { token });
    expect(badDay.status).toBe(400);
    expect(badDay.body.error.fields).toHaveProperty('day');
  });
});

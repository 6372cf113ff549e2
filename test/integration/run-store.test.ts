/**
 * Run records on DynamoDB Local: exact counts under concurrency and duplicates (a unit counts once,
 * a planning part once), failed-then-done, one finisher, listing by kind and day.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { createDocumentClient, localClientConfig } from '../../shared/adapters/dynamodb/client';
import { DynamoRunStore } from '../../shared/adapters/dynamodb/run-store';

const store = new DynamoRunStore(createDocumentClient(localClientConfig(inject('dynamoEndpoint'), inject('dynamoCredentials'))), inject('tableName'));
const newId = (kind: string) => `${kind}-${randomBytes(5).toString('hex')}`;

describe('run store', () => {
  it('creates a run once: a second start for the same id finds it and adds nothing', async () => {
    const id = newId('billing');
    const [a, b] = await Promise.all([
      store.start({ id, kind: 'billing', day: '2031-01-01', planParts: 2, startedAt: '2031-01-01T00:15:00Z' }),
      store.start({ id, kind: 'billing', day: '2031-01-01', planParts: 2, startedAt: '2031-01-01T00:16:00Z' }),
    ]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect((await store.get(id))!.startedAt).toBe((a.created ? a : b).run.startedAt);
  });

  it('counts every unit exactly once when workers report overlapping outcomes at the same time', async () => {
    const id = newId('demo');
    await store.start({ id, kind: 'demo', day: '2031-01-02', planParts: 1, startedAt: 'now' });
    await store.setPlanned(id, 'all', 300);
    const units = Array.from({ length: 300 }, (_v, i) => `u${i}`);
    // 12 workers; each unit is reported by three of them (duplicate deliveries), in batches of 25.
    const reports = Array.from({ length: 12 }, (_v, w) =>
      units.filter((_u, i) => i % 4 === w % 4).map((unit) => ({ unit, outcome: 'done' as const })),
    );
    const counted = await Promise.all(
      reports.map(async (r) => {
        let n = 0;
        for (let i = 0; i < r.length; i += 25) n += await store.record(id, r.slice(i, i + 25));
        return n;
      }),
    );
    expect(counted.reduce((a, b) => a + b, 0)).toBe(300);
    const run = (await store.get(id))!;
    expect([run.planned, run.done, run.failed, run.plannedParts]).toEqual([300, 300, 0, 1]);
  });

  it('counts a planning part once, raising it when a resumed plan finds more', async () => {
    const id = newId('demo');
    await store.start({ id, kind: 'demo', day: '2031-01-03', planParts: 3, startedAt: 'now' });
    await Promise.all([store.setPlanned(id, 's0', 10), store.setPlanned(id, 's0', 10), store.setPlanned(id, 's1', 5)]);
    await store.setPlanned(id, 's1', 7);
    await store.setPlanned(id, 's1', 6);
    const run = (await store.get(id))!;
    expect([run.planned, run.plannedParts]).toEqual([17, 2]);
    expect([...(await store.plannedParts(id))].sort()).toEqual(['s0', 's1']);
  });

  it('turns a failed unit into a done one once, and finishes the run with exactly one finisher', async () => {
    const id = newId('demo');
    await store.start({ id, kind: 'demo', day: '2031-01-04', planParts: 1, startedAt: 'now' });
    await store.setPlanned(id, 'all', 3);
    await store.record(id, [{ unit: 'a', outcome: 'done' }, { unit: 'b', outcome: 'failed' }]);
    expect((await store.finishIfComplete(id, 't0')).finishedNow).toBe(false);
    await store.record(id, [{ unit: 'b', outcome: 'failed' }, { unit: 'c', outcome: 'failed' }]);
    let run = (await store.get(id))!;
    expect([run.done, run.failed]).toEqual([1, 2]);
    const finishers = await Promise.all(Array.from({ length: 5 }, (_v, i) => store.finishIfComplete(id, `t${i + 1}`)));
    expect(finishers.filter((f) => f.finishedNow)).toHaveLength(1);
    // A resumed run that succeeds for b: counted done once, the failure taken back.
    expect(await store.record(id, [{ unit: 'b', outcome: 'done' }])).toBe(1);
    expect(await store.record(id, [{ unit: 'b', outcome: 'done' }, { unit: 'a', outcome: 'done' }])).toBe(0);
    run = (await store.get(id))!;
    expect([run.planned, run.done, run.failed]).toEqual([3, 2, 1]);
    expect(run.finishedAt).toBe(finishers.find((f) => f.finishedNow)!.run!.finishedAt);
  });

  it('lists runs newest day first, by kind and by day, in pages', async () => {
    const kind = `k${randomBytes(3).toString('hex')}`;
    for (const day of ['2032-05-01', '2032-05-02', '2032-05-03']) {
      await store.start({ id: `${kind}-${day}`, kind, day, planParts: 1, startedAt: 'now' });
    }
    const byKind = await store.list({ kind }, { limit: 100 });
    expect(byKind.items.map((r) => r.day)).toEqual(['2032-05-03', '2032-05-02', '2032-05-01']);
    const byDay = await store.list({ day: '2032-05-02', kind }, { limit: 10 });
    expect(byDay.items.map((r) => r.id)).toEqual([`${kind}-2032-05-02`]);
    const first = await store.list({ day: '2032-05-02' }, { limit: 1 });
    expect(first.items).toHaveLength(1);
  });
});
